#include "services/transparency/checkpointer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "core/base/status_macros.h"
#include "core/checkpoint/checkpoint.h"

namespace origo::transparency {
namespace {

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

absl::Status WriteNewSecretFile(const std::string& path, const std::string& contents) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::UnavailableError("cannot create " + path + ": " + std::strerror(errno));
  }
  size_t written = 0;
  while (written < contents.size()) {
    ssize_t n = write(fd, contents.data() + written, contents.size() - written);
    if (n <= 0) {
      close(fd);
      return absl::UnavailableError("cannot write " + path + ": " + std::strerror(errno));
    }
    written += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0) {
    close(fd);
    return absl::UnavailableError("cannot fsync " + path + ": " + std::strerror(errno));
  }
  close(fd);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<crypto::PrivateKey> LoadOrCreateLogKey(const std::string& data_dir) {
  const std::string dir = data_dir + "/keys";
  const std::string path = dir + "/log-ed25519.pem";
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return absl::UnavailableError("cannot create " + dir + ": " + std::strerror(errno));
  }
  std::ifstream in(path);
  if (in) {
    std::stringstream pem;
    pem << in.rdbuf();
    auto key = crypto::PrivateKey::FromPem(pem.str());
    if (!key.ok()) {
      return absl::DataLossError("log signing key " + path +
                                 " does not parse: " + std::string(key.status().message()));
    }
    return key;
  }
  ORIGO_ASSIGN_OR_RETURN(crypto::PrivateKey key,
                         crypto::PrivateKey::Generate(crypto::Algorithm::kEd25519));
  ORIGO_ASSIGN_OR_RETURN(std::string pem, key.ToPem());
  ORIGO_RETURN_IF_ERROR(WriteNewSecretFile(path, pem));
  return key;
}

absl::StatusOr<std::unique_ptr<Checkpointer>> Checkpointer::Start(
    storage::EventLog* log, checkpoint::NoteSigner signer, std::string origin,
    std::chrono::milliseconds interval) {
  std::unique_ptr<Checkpointer> c(
      new Checkpointer(log, std::move(signer), std::move(origin), interval));
  ORIGO_ASSIGN_OR_RETURN(auto latest, log->LatestCheckpoint(nullptr));
  if (latest.has_value()) {
    auto parsed = checkpoint::VerifyCheckpoint(latest->second, c->signer_.Verifier());
    if (!parsed.ok()) {
      return absl::DataLossError("latest stored checkpoint does not verify under the log key: " +
                                 std::string(parsed.status().message()));
    }
    merkle::Hash root = merkle::EmptyRoot();
    if (parsed->size > 0) {
      ORIGO_ASSIGN_OR_RETURN(root, log->RootAt(parsed->size, nullptr));
    }
    if (root != parsed->root) {
      return absl::DataLossError("latest stored checkpoint (size " + std::to_string(parsed->size) +
                                 ") disagrees with the stored tree; refusing to sign further");
    }
    c->latest_ = SignedCheckpoint{parsed->size, parsed->root, latest->second};
  }
  ORIGO_RETURN_IF_ERROR(c->SignNow());
  c->thread_ = std::thread([p = c.get()] { p->Run(); });
  return c;
}

Checkpointer::~Checkpointer() { Stop(); }

std::optional<SignedCheckpoint> Checkpointer::Latest() const {
  std::lock_guard<std::mutex> lock(mu_);
  return latest_;
}

absl::Status Checkpointer::SignNow() {
  std::lock_guard<std::mutex> sign_lock(sign_mu_);
  storage::TreeHead head = log_->Head();
  {
    std::lock_guard<std::mutex> lock(mu_);
    // The first checkpoint may be of the empty tree, so that witnesses can start from size 0.
    if (latest_.has_value() && latest_->size >= head.size) return absl::OkStatus();
  }
  checkpoint::Checkpoint body;
  body.origin = origin_;
  body.size = head.size;
  body.root = head.root;
  ORIGO_ASSIGN_OR_RETURN(std::string note, signer_.Sign(body));
  ORIGO_RETURN_IF_ERROR(log_->PutCheckpoint(head.size, head.root, note, NowUnixMs()));
  {
    std::lock_guard<std::mutex> lock(mu_);
    latest_ = SignedCheckpoint{head.size, head.root, std::move(note)};
  }
  changed_.notify_all();
  return absl::OkStatus();
}

absl::StatusOr<SignedCheckpoint> Checkpointer::WaitCovering(uint64_t index,
                                                            std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  bool covered = changed_.wait_for(
      lock, timeout, [&] { return stopping_ || (latest_.has_value() && latest_->size > index); });
  if (!covered || !latest_.has_value() || latest_->size <= index) {
    return absl::DeadlineExceededError("no checkpoint covers log index " + std::to_string(index) +
                                       " yet; retry shortly");
  }
  return *latest_;
}

void Checkpointer::Run() {
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (changed_.wait_for(lock, interval_, [this] { return stopping_; })) return;
    }
    absl::Status signed_now = SignNow();
    if (!signed_now.ok()) {
      std::fprintf(stderr, "origod: checkpoint signing failed: %s\n",
                   signed_now.ToString().c_str());
    }
  }
}

void Checkpointer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace origo::transparency
