#include "services/capture/sequencer.h"

#include <algorithm>

#include "rocksdb/db.h"
#include "storage/store.h"

namespace origo::capture {

Sequencer::Sequencer(storage::EventLog* log, Options options)
    : log_(log), options_(options), thread_([this] { Run(); }) {}

Sequencer::~Sequencer() { Stop(); }

absl::StatusOr<std::vector<storage::AppendedLeaf>> Sequencer::Submit(
    std::vector<storage::LeafToAppend> leaves) {
  return SubmitAsync(std::move(leaves)).get();
}

std::future<Sequencer::Result> Sequencer::SubmitAsync(
    std::vector<storage::LeafToAppend> leaves, std::shared_ptr<std::atomic<uint64_t>> write_begun) {
  auto submission = std::make_unique<Submission>();
  submission->leaves = std::move(leaves);
  submission->write_begun = std::move(write_begun);
  std::future<Result> result = submission->done.get_future();
  Enqueue(std::move(submission));
  return result;
}

void Sequencer::SubmitTo(std::vector<storage::LeafToAppend> leaves, Sink* sink, uint64_t ticket,
                         std::shared_ptr<std::atomic<uint64_t>> write_begun) {
  auto submission = std::make_unique<Submission>();
  submission->leaves = std::move(leaves);
  submission->write_begun = std::move(write_begun);
  submission->sink = sink;
  submission->ticket = ticket;
  Enqueue(std::move(submission));
}

void Sequencer::Complete(Submission& submission, Result result) {
  if (submission.sink == nullptr) {
    submission.done.set_value(std::move(result));
  } else {
    submission.sink->Deliver(submission.ticket, std::move(result));
  }
}

void Sequencer::Enqueue(std::unique_ptr<Submission> submission) {
  Result refused = std::vector<storage::AppendedLeaf>{};
  if (!submission->leaves.empty()) {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      refused = absl::UnavailableError("server is shutting down; retry later");
    } else if (pending_events_ + submission->leaves.size() > options_.max_pending_events) {
      refused =
          absl::ResourceExhaustedError("capture queue is full (" + std::to_string(pending_events_) +
                                       " events pending); retry after a short delay");
    } else {
      pending_events_ += submission->leaves.size();
      pending_.push_back(std::move(submission));
      // A busy sequencer takes this submission with the next group without being woken: it
      // looks at pending_ under mu_ before it waits. Skipping the notify saves a futex call per
      // batch.
      if (!sequencer_waiting_) return;
    }
  }
  if (submission == nullptr) {
    wake_.notify_one();
    return;
  }
  Complete(*submission, std::move(refused));
  if (submission->sink != nullptr) submission->sink->Flush();
}

void Sequencer::Run() {
  std::vector<Sink*> sinks;  // of the current group, each once
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
    // The group's writes get sequence numbers above this one.
    const uint64_t before = log_->store()->db()->GetLatestSequenceNumber();
    for (const auto& s : group) {
      if (s->write_begun != nullptr) s->write_begun->store(before + 1);
      for (const storage::LeafToAppend& leaf : s->leaves) all.push_back(&leaf);
    }
    auto appended = log_->Append(all);
    if (appended.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      ++groups_;
      for (const auto& r : *appended) events_ += r.duplicate ? 0 : 1;
    }
    size_t offset = 0;
    sinks.clear();
    for (const auto& s : group) {
      if (s->sink != nullptr && std::find(sinks.begin(), sinks.end(), s->sink) == sinks.end()) {
        sinks.push_back(s->sink);
      }
      if (!appended.ok()) {
        Complete(*s, appended.status());
        continue;
      }
      std::vector<storage::AppendedLeaf> mine(appended->begin() + offset,
                                              appended->begin() + offset + s->leaves.size());
      offset += s->leaves.size();
      Complete(*s, std::move(mine));
    }
    // One wake-up per stream per group, after all of its batches in the group are delivered.
    for (Sink* sink : sinks) sink->Flush();
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
