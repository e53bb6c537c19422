#include "services/capture/sequencer.h"

namespace origo::capture {

Sequencer::Sequencer(storage::EventLog* log, Options options)
    : log_(log), options_(options), thread_([this] { Run(); }) {}

Sequencer::~Sequencer() { Stop(); }

absl::StatusOr<std::vector<storage::AppendedLeaf>> Sequencer::Submit(
    std::vector<storage::LeafToAppend> leaves) {
  return SubmitAsync(std::move(leaves)).get();
}

std::future<Sequencer::Result> Sequencer::SubmitAsync(std::vector<storage::LeafToAppend> leaves) {
  auto submission = std::make_unique<Submission>();
  submission->leaves = std::move(leaves);
  std::future<Result> result = submission->done.get_future();
  if (submission->leaves.empty()) {
    submission->done.set_value(std::vector<storage::AppendedLeaf>{});
    return result;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      submission->done.set_value(absl::UnavailableError("server is shutting down; retry later"));
      return result;
    }
    if (pending_events_ + submission->leaves.size() > options_.max_pending_events) {
      submission->done.set_value(
          absl::ResourceExhaustedError("capture queue is full (" + std::to_string(pending_events_) +
                                       " events pending); retry after a short delay"));
      return result;
    }
    pending_events_ += submission->leaves.size();
    pending_.push_back(std::move(submission));
    // A busy sequencer takes this submission with the next group without being woken: it looks
    // at pending_ under mu_ before it waits. Skipping the notify saves a futex call per batch.
    if (!sequencer_waiting_) return result;
  }
  wake_.notify_one();
  return result;
}

void Sequencer::Run() {
  while (true) {
    std::vector<std::unique_ptr<Submission>> group;
    {
      std::unique_lock<std::mutex> lock(mu_);
      sequencer_waiting_ = true;
      wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
      sequencer_waiting_ = false;
      if (pending_.empty()) return;  // stopping and drained
      size_t events = 0;
      while (!pending_.empty() && (group.empty() || events + pending_.front()->leaves.size() <=
                                                        options_.max_group_events)) {
        events += pending_.front()->leaves.size();
        group.push_back(std::move(pending_.front()));
        pending_.pop_front();
      }
      pending_events_ -= events;
    }
    std::vector<const storage::LeafToAppend*> all;
    for (const auto& s : group) {
      for (const storage::LeafToAppend& leaf : s->leaves) all.push_back(&leaf);
    }
    auto appended = log_->Append(all);
    if (!appended.ok()) {
      for (const auto& s : group) s->done.set_value(appended.status());
      continue;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++groups_;
      for (const auto& r : *appended) events_ += r.duplicate ? 0 : 1;
    }
    size_t offset = 0;
    for (const auto& s : group) {
      std::vector<storage::AppendedLeaf> mine(appended->begin() + offset,
                                              appended->begin() + offset + s->leaves.size());
      offset += s->leaves.size();
      s->done.set_value(std::move(mine));
    }
  }
}

void Sequencer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

uint64_t Sequencer::groups_written() const {
  std::lock_guard<std::mutex> lock(mu_);
  return groups_;
}

uint64_t Sequencer::events_written() const {
  std::lock_guard<std::mutex> lock(mu_);
  return events_;
}

}  // namespace origo::capture
