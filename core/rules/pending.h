#ifndef ORIGO_CORE_RULES_PENDING_H_
#define ORIGO_CORE_RULES_PENDING_H_

// Effects of batches that passed the sector rules but are not yet durable in the log.
//
// Why: capture judges a batch against a snapshot and then queues it for the sequencer's group
// commit. Two batches judged concurrently against the same snapshot could each consume the same
// 1,000 kg lot in full, and both would pass mass balance. Checks and writes are made atomic with
// respect to each other like this:
//   1. a batch locks the stripes of every identifier it names (ascending stripe order, so
//      batches on disjoint lots run concurrently and overlapping ones take turns);
//   2. under those locks it reads the pending entries, then takes its snapshot (in this order:
//      an entry released in between was written before the snapshot), overlays the pending
//      effects of every batch judged before it that the snapshot does not yet show
//      (BatchState::AddOverlay: shared, looked up per identifier, never copied), judges, and
//      registers its own effects here;
//   3. it unlocks; its entry stays until the sequencer's write has completed (durable and
//      visible to new snapshots) or failed, when the handle Add returned is released.
// A later batch therefore sees an earlier one either in its snapshot (entry skipped: its first
// event id is already indexed) or in the overlay, never in neither and never in both.
//
// No I/O. Thread-safe.

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/rules/rules.h"

namespace origo::rules {

class PendingEffects {
 public:
  static constexpr size_t kStripes = 64;

  // Holds the stripe locks of a set of identifiers until destroyed. Movable.
  class Lock {
   public:
    Lock() = default;
    Lock(Lock&&) = default;
    Lock& operator=(Lock&&) = default;

   private:
    friend class PendingEffects;
    std::vector<std::unique_lock<std::mutex>> locks_;
  };

  struct Entry {
    std::string first_event_id;          // raw 32 bytes: present in the log's index once written
    std::vector<std::string> event_ids;  // raw, every judged event (a retry is not judged twice)
    EffectsIndex effects;                // BatchState::ReleaseOwn of the batch
  };

  // Blocks until the stripes of `ids` are free, then holds them.
  Lock LockIds(const std::vector<std::string>& ids);

  // The entries registered now (shared, immutable).
  std::vector<std::shared_ptr<const Entry>> Entries() const;

  // Registers `entry`; it is removed when the last copy of the returned handle is released.
  // The handle must not outlive this object.
  std::shared_ptr<void> Add(Entry entry);

  size_t size() const;

 private:
  std::array<std::mutex, kStripes> stripes_;
  mutable std::mutex mu_;
  uint64_t next_ = 0;                                         // guarded by mu_
  std::map<uint64_t, std::shared_ptr<const Entry>> entries_;  // guarded by mu_
};

}  // namespace origo::rules

#endif  // ORIGO_CORE_RULES_PENDING_H_
