#include "core/rules/pending.h"

#include <functional>
#include <set>

namespace origo::rules {

PendingEffects::Lock PendingEffects::LockIds(const std::vector<std::string>& ids) {
  std::set<size_t> stripes;
  for (const std::string& id : ids) stripes.insert(std::hash<std::string>{}(id) % kStripes);
  Lock lock;
  lock.locks_.reserve(stripes.size());
  for (size_t s : stripes) lock.locks_.emplace_back(stripes_[s]);  // ascending: no deadlock
  return lock;
}

std::vector<std::shared_ptr<const PendingEffects::Entry>> PendingEffects::Entries() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::shared_ptr<const Entry>> out;
  out.reserve(entries_.size());
  for (const auto& [ticket, entry] : entries_) out.push_back(entry);
  return out;
}

std::shared_ptr<void> PendingEffects::Add(Entry entry) {
  uint64_t ticket;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ticket = next_++;
    entries_.emplace(ticket, std::make_shared<const Entry>(std::move(entry)));
  }
  return std::shared_ptr<void>(nullptr, [this, ticket](void*) {
    std::lock_guard<std::mutex> lock(mu_);
    entries_.erase(ticket);
  });
}

size_t PendingEffects::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

}  // namespace origo::rules
