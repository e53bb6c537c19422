#ifndef ORIGO_CLIENTS_SPOOL_SPOOL_H_
#define ORIGO_CLIENTS_SPOOL_SPOOL_H_

// The packing line's spool: a durable, crash-safe queue of events waiting to be signed and
// captured (DESIGN §1: capture keeps working offline; events queue locally and sync later).
//
// A spool root (default ~/.origo/spool, created 0700) holds one queue per enterprise and server,
// so events queued for one server are never sent to another:
//
//   <root>/<usci>@<server, each character outside [A-Za-z0-9.-] written as '_'>/
//     QUEUE        "origo-spool 1\nusci <usci>\nserver <server>\n"; written once, durably
//     LOCK         flock(2)ed by the one process that may change the queue; holds its pid
//     ACKED        the delivery cursor (below), replaced atomically: temp, fsync, rename, fsync dir
//     STATE        last error and last delivery, replaced atomically (informational only)
//     seg-<first sequence, 20 digits>.log     the events, append-only (below)
//     dead/<first sequence, 20 digits>.jsonl  a rejected batch's events, one per line
//     dead/<first sequence, 20 digits>.error  why it was rejected, and where each event came from
//
// Segment file grammar (integers big-endian):
//
//   segment = header *record
//   header  = "ORIGOSEG" version:u8(=1) first-seq:u64             ; fsynced when created
//   record  = length:u32 crc:u32 body        ; length = |body| (at most kMaxRecordBytes),
//                                            ; crc = CRC-32C(body)
//   body    = event / commit
//   event   = %x01 line:u64 source-length:u16 source event-bytes
//   commit  = %x02 unix-ms:i64 count:u32     ; commits the `count` event records right before it
//
// An event belongs to the queue only once the commit record after it is on disk. Its sequence
// number is first-seq plus the number of committed events before it in the segment; a segment
// starts where the previous one ends. Append writes events and commit in one write(2) and
// fdatasyncs before it returns, so nothing is reported queued that is not durable. On Open, a torn
// or corrupt tail of the last segment and any events after its last commit are cut off (they were
// never reported queued); damage anywhere else would lose queued events and is DATA_LOSS.
//
//   ACKED   = "ORIGOACK" version:u8(=1) next-seq:u64 crc:u32        ; crc = CRC-32C of the rest
//
// Events below next-seq are done: the server acknowledged them, or they were moved to dead
// letters. The others are pending, and are sent in sequence order. The cursor moves forward only
// after the server's acknowledgement (or after the dead letter is durable), so a crash at any
// moment re-sends at most the batches that were in flight, and the server's capture is idempotent
// on event ids: a re-sent event is stored once. Segments that are entirely done are deleted.
//
// Thread-safety: Spool is thread-safe (one mutex); a capture --follow appends from one thread while
// another delivers. Only one process opens a queue at a time (LOCK); ReadQueueStatus reads without
// the lock and sees only committed events.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "clients/spool/file_io.h"

namespace origo::spool {

// Largest record body; an event must leave room for its line number and source name.
inline constexpr size_t kMaxRecordBytes = 16 << 20;

// Where an event came from, for messages: a file name (or "-" for standard input) and its line,
// counted from 1 (0 when unknown).
struct EventOrigin {
  std::string source;
  uint64_t line = 0;
};

// An event to append: its exact bytes (what is signed and hashed; one line, no CR or LF) and
// origin.
struct NewEvent {
  std::string bytes;
  EventOrigin origin;
};

// A committed event read back from the queue.
struct SpooledEvent {
  uint64_t seq = 0;
  std::string bytes;
  EventOrigin origin;
  int64_t spooled_unix_ms = 0;  // time of its commit
};

struct SpoolOptions {
  // The enterprise whose events the queue holds. Required.
  std::string usci;
  // The server they are for (gRPC target, as given to --server). Required.
  std::string server;
  // A new segment is started when the last one has grown past this. Default 64 MiB.
  uint64_t segment_bytes = 64 << 20;
  // How long Open waits for another process to release the queue. Default 5 s.
  std::chrono::milliseconds lock_wait = std::chrono::seconds(5);
};

// A rejected batch kept in dead/.
struct DeadLetterInfo {
  std::string events_file;  // dead/<seq>.jsonl, absolute or relative as the root was given
  uint64_t first_seq = 0;
  uint64_t events = 0;
  std::string code;     // the server's status code, e.g. "INVALID_ARGUMENT"
  std::string message;  // its message
  std::string lines;    // where the events came from, e.g. "scan.jsonl lines 1..100"
  int64_t rejected_unix_ms = 0;
};

// One queue as `origo spool status` shows it.
struct QueueStatus {
  std::string dir;
  std::string usci;
  std::string server;
  uint64_t spooled = 0;  // events ever committed (the next sequence number)
  uint64_t done = 0;     // events delivered or moved to dead letters (the cursor)
  uint64_t pending = 0;  // spooled - done
  std::optional<int64_t> oldest_pending_unix_ms;
  std::string last_error_code;  // empty when no error was recorded
  std::string last_error_message;
  int64_t last_error_unix_ms = 0;
  int64_t last_delivery_unix_ms = 0;  // 0 when nothing was delivered yet
  std::optional<pid_t> locked_by;     // the process holding the queue, if any
  std::vector<DeadLetterInfo> dead_letters;
};

// "<root>/<usci>@<server with unsafe characters as '_'>".
std::string QueueDir(const std::string& root, const std::string& usci, const std::string& server);

// $HOME/.origo/spool (the passwd entry's home when HOME is unset). FAILED_PRECONDITION when
// there is no home directory.
absl::StatusOr<std::string> DefaultSpoolRoot();

// Reads one queue's state without locking it. NOT_FOUND when `dir` holds no queue; DATA_LOSS
// when its files are damaged.
absl::StatusOr<QueueStatus> ReadQueueStatus(const std::string& dir);

// Every queue under `root`, in directory-name order; none when `root` does not exist.
absl::StatusOr<std::vector<QueueStatus>> ReadSpoolStatus(const std::string& root);

// "a.jsonl lines 3..7", "a.jsonl line 3", "a.jsonl line 9 .. b.jsonl line 2"; "" when empty.
std::string DescribeOrigins(const std::vector<SpooledEvent>& events);

class Spool {
 public:
  // Opens the queue in `dir` (creating it, 0700, and its parents), taking its lock and recovering
  // from a crash as the file comment describes. Errors: FAILED_PRECONDITION when another process
  // holds the queue after options.lock_wait (naming its pid), or when `dir` holds a queue for
  // another enterprise or server; DATA_LOSS when a segment other than the last, or the cursor, is
  // damaged; INVALID_ARGUMENT for empty usci or server; I/O errors naming the file.
  static absl::StatusOr<std::unique_ptr<Spool>> Open(const std::string& dir,
                                                     const SpoolOptions& options);
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  // Appends `events` as one commit: after a crash either all of them are queued or none. Returns
  // once they are durable (fdatasync). INVALID_ARGUMENT (naming the event's origin) for an empty
  // event, one with CR or LF, or one too large; nothing is appended then. After an fdatasync
  // failure the queue refuses further appends (FAILED_PRECONDITION) until reopened.
  absl::Status Append(const std::vector<NewEvent>& events);

  // Up to `max_events` committed events starting at sequence `from` (done() <= from <= spooled()).
  // OUT_OF_RANGE when `from` is outside that range.
  absl::StatusOr<std::vector<SpooledEvent>> Read(uint64_t from, size_t max_events) const;

  // Marks every event below `next` done, durably. INVALID_ARGUMENT when `next` < done() or
  // > spooled(). Deletes segments that are then entirely done.
  absl::Status Ack(uint64_t next);

  // Moves `batch` (consecutive events starting at done()) to dead/ with `error`, durably, then
  // acknowledges past it. Returns the dead letter's events file.
  absl::StatusOr<std::string> DeadLetter(const std::vector<SpooledEvent>& batch,
                                         const absl::Status& error, int64_t now_unix_ms);

  // Appends the events of every dead letter again (one commit, in sequence order) and removes
  // the dead letters. Returns how many events were queued again. A crash in between leaves
  // both; the re-sent duplicates are stored once by the server.
  absl::StatusOr<uint64_t> Requeue();

  // Records the outcome of a delivery attempt in STATE for `origo spool status`: an error is kept
  // as the last error; OK updates the last delivery time. Best effort (STATE is informational).
  void RecordAttempt(const absl::Status& status, int64_t now_unix_ms);

  uint64_t done() const;
  uint64_t spooled() const;
  uint64_t pending() const;
  const std::string& dir() const { return dir_; }

 private:
  struct Segment {
    std::string path;
    UniqueFd fd;
    uint64_t first_seq = 0;
    uint64_t size = 0;  // bytes, up to the end of its last commit
  };
  // Where a committed event's record body is.
  struct EventLocation {
    uint64_t segment_first_seq = 0;
    uint64_t offset = 0;
    uint32_t length = 0;
    int64_t commit_unix_ms = 0;
  };

  Spool(std::string dir, SpoolOptions options, UniqueFd lock);
  absl::Status Recover();
  absl::Status StartSegment() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status AckLocked(uint64_t next) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void CollectGarbage() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status AppendLocked(const std::vector<NewEvent>& events, int64_t now_unix_ms)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void WriteState() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string dir_;
  const SpoolOptions options_;
  UniqueFd lock_;

  mutable std::mutex mu_;
  std::map<uint64_t, Segment> segments_ ABSL_GUARDED_BY(mu_);  // by first_seq
  // Locations of the events from base_ to spooled_ (base_ = first retained segment's first_seq).
  std::deque<EventLocation> locations_ ABSL_GUARDED_BY(mu_);
  uint64_t base_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t done_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t spooled_ ABSL_GUARDED_BY(mu_) = 0;
  bool broken_ ABSL_GUARDED_BY(mu_) = false;
  // STATE.
  std::string last_error_code_ ABSL_GUARDED_BY(mu_);
  std::string last_error_message_ ABSL_GUARDED_BY(mu_);
  int64_t last_error_unix_ms_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t last_delivery_unix_ms_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t state_written_unix_ms_ ABSL_GUARDED_BY(mu_) = 0;
  bool state_dirty_ ABSL_GUARDED_BY(mu_) = false;  // a success not yet written to STATE
};

}  // namespace origo::spool

#endif  // ORIGO_CLIENTS_SPOOL_SPOOL_H_
