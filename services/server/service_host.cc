#include "services/server/service_host.h"

#include <grpcpp/grpcpp.h>

#include <cstdio>

#include "core/base/status_macros.h"
#include "core/checkpoint/note.h"
#include "core/credit/blacklist.h"
#include "services/admin/admin_service.h"
#include "services/capture/capture.h"
#include "services/capture/capture_service.h"
#include "services/capture/sequencer.h"
#include "services/credit/credit.h"
#include "services/credit/credit_service.h"
#include "services/provenance/provenance.h"
#include "services/provenance/provenance_service.h"
#include "services/registry/registry_service.h"
#include "services/resolver/resolver.h"
#include "services/server/auth.h"
#include "services/server/rate_limit.h"
#include "services/transparency/checkpointer.h"
#include "services/transparency/transparency_service.h"
#include "storage/credit_archive.h"
#include "storage/event_log.h"
#include "storage/lineage_index.h"
#include "storage/registry_store.h"
#include "storage/scan_counter.h"

namespace origo::server {
namespace {

// The production host: registry, capture and the transparency log over one store.
class OrigoServiceHost : public ServiceHost {
 public:
  std::vector<grpc::Service*> GrpcServices() override {
    return {registry_service_.get(),   capture_service_.get(), transparency_service_.get(),
            provenance_service_.get(), credit_service_.get(),  admin_service_.get()};
  }
  void RegisterHttp(httplib::Server* http) override { resolver_->Register(http, metrics_); }
  void Stop() override {
    // Order: no more sequencing, then a final checkpoint over everything written, then stop.
    if (sequencer_) sequencer_->Stop();
    if (checkpointer_) {
      absl::Status last = checkpointer_->SignNow();
      if (!last.ok())
        std::fprintf(stderr, "origod: final checkpoint: %s\n", last.ToString().c_str());
      checkpointer_->Stop();
    }
  }
  std::vector<std::string> Notices() const override { return notices_; }
  const Authenticator* authenticator() const override { return authenticator_.get(); }
  void RenderMetrics(std::string* out) const override {
    storage::TreeHead head = log_->Head();
    *out += "# HELP origo_log_tree_size Leaves in the transparency log.\n";
    *out += "# TYPE origo_log_tree_size gauge\n";
    *out += "origo_log_tree_size " + std::to_string(head.size) + "\n";
    *out += "# HELP origo_capture_group_commits_total Synced writes made by the sequencer.\n";
    *out += "# TYPE origo_capture_group_commits_total counter\n";
    *out +=
        "origo_capture_group_commits_total " + std::to_string(sequencer_->groups_written()) + "\n";
    *out += "# HELP origo_capture_events_total Events stored (duplicates excluded).\n";
    *out += "# TYPE origo_capture_events_total counter\n";
    *out += "origo_capture_events_total " + std::to_string(sequencer_->events_written()) + "\n";
    auto latest = checkpointer_->Latest();
    *out += "# HELP origo_log_checkpoint_size Tree size of the latest signed checkpoint.\n";
    *out += "# TYPE origo_log_checkpoint_size gauge\n";
    *out += "origo_log_checkpoint_size " + std::to_string(latest ? latest->size : 0) + "\n";
  }

  std::unique_ptr<storage::RegistryStore> registry_;
  std::unique_ptr<RateLimiter> rate_limiter_;
  std::unique_ptr<Authenticator> authenticator_;
  std::unique_ptr<storage::EventLog> log_;
  std::unique_ptr<capture::Sequencer> sequencer_;
  std::unique_ptr<transparency::Checkpointer> checkpointer_;
  std::unique_ptr<storage::LineageIndex> lineage_;
  std::unique_ptr<rules::Engine> rules_;
  std::unique_ptr<provenance::Provenance> provenance_;
  std::unique_ptr<provenance::ProvenanceServiceImpl> provenance_service_;
  std::unique_ptr<capture::CaptureProcessor> processor_;
  std::unique_ptr<registry::RegistryServiceImpl> registry_service_;
  std::unique_ptr<capture::CaptureServiceImpl> capture_service_;
  std::unique_ptr<transparency::TransparencyServiceImpl> transparency_service_;
  std::unique_ptr<storage::CreditArchive> credit_archive_;
  std::unique_ptr<credit::CreditProcessor> credit_;
  std::unique_ptr<credit::CreditServiceImpl> credit_service_;
  std::unique_ptr<admin::AdminServiceImpl> admin_service_;
  std::unique_ptr<storage::ScanCounter> scans_;
  std::unique_ptr<resolver::Resolver> resolver_;
  Metrics* metrics_ = nullptr;
  std::vector<std::string> notices_;

  ~OrigoServiceHost() override { Stop(); }
};

}  // namespace

absl::StatusOr<std::unique_ptr<ServiceHost>> ServiceHost::Create(const origo::v1::Config& config,
                                                                 storage::Store* store,
                                                                 Metrics* metrics) {
  auto host = std::make_unique<OrigoServiceHost>();
  host->metrics_ = metrics;
  host->registry_ = std::make_unique<storage::RegistryStore>(store);
  host->authenticator_ = std::make_unique<Authenticator>(host->registry_.get());
  host->rate_limiter_ = std::make_unique<RateLimiter>(config.limits());
  host->authenticator_->SetRateLimiter(host->rate_limiter_.get());
  ORIGO_ASSIGN_OR_RETURN(auto bootstrap,
                         host->authenticator_->EnsureBootstrapToken(config.data_dir()));
  if (bootstrap.has_value()) {
    host->notices_.push_back("  first start: regulator token written to " + config.data_dir() +
                             "/bootstrap-token (mode 0600):");
    // The token itself is a secret: the notice names the file, so stdout (often a journal) never
    // holds it.
    host->notices_.push_back("    export ORIGO_TOKEN=$(cat " + config.data_dir() + "/" +
                             kBootstrapTokenFile + ")");
  }
  ORIGO_ASSIGN_OR_RETURN(host->log_, storage::EventLog::Open(store));
  host->sequencer_ = std::make_unique<capture::Sequencer>(host->log_.get());
  ORIGO_ASSIGN_OR_RETURN(crypto::PrivateKey log_key,
                         transparency::LoadOrCreateLogKey(config.data_dir()));
  ORIGO_ASSIGN_OR_RETURN(checkpoint::NoteSigner signer,
                         checkpoint::NoteSigner::Create(config.log().origin(), std::move(log_key)));
  ORIGO_ASSIGN_OR_RETURN(host->checkpointer_,
                         transparency::Checkpointer::Start(
                             host->log_.get(), std::move(signer), config.log().origin(),
                             std::chrono::milliseconds(config.log().checkpoint_interval_ms())));
  host->notices_.push_back("  log    " + host->checkpointer_->Vkey());
  host->lineage_ = std::make_unique<storage::LineageIndex>(store, host->registry_.get());
  // Once per store written by an older version; a large store takes a minute or more.
  ORIGO_RETURN_IF_ERROR(host->lineage_->Backfill(*host->log_, [](const std::string& line) {
    std::fprintf(stderr, "origod: %s\n", line.c_str());
  }));
  ORIGO_ASSIGN_OR_RETURN(host->rules_, rules::Engine::Create(config.rules()));
  host->provenance_ = std::make_unique<provenance::Provenance>(
      host->lineage_.get(), host->log_.get(), host->rules_.get());
  host->provenance_service_ = std::make_unique<provenance::ProvenanceServiceImpl>(
      host->provenance_.get(), host->authenticator_.get());
  host->processor_ = std::make_unique<capture::CaptureProcessor>(
      host->registry_.get(), host->sequencer_.get(), config.capture(), nullptr,
      host->lineage_.get(), host->rules_.get());
  host->registry_service_ = std::make_unique<registry::RegistryServiceImpl>(
      host->registry_.get(), host->authenticator_.get());
  host->capture_service_ = std::make_unique<capture::CaptureServiceImpl>(
      host->processor_.get(), host->authenticator_.get());
  host->transparency_service_ = std::make_unique<transparency::TransparencyServiceImpl>(
      host->log_.get(), host->checkpointer_.get(),
      std::chrono::milliseconds(config.log().proof_wait_ms()), host->authenticator_.get());
  host->admin_service_ = std::make_unique<admin::AdminServiceImpl>(
      host->log_.get(), host->authenticator_.get(), config.data_dir());
  host->credit_archive_ = std::make_unique<storage::CreditArchive>(store);
  auto credit_options =
      credit::CreditProcessor::WithLineage(host->lineage_.get(), host->rules_.get());
  ORIGO_ASSIGN_OR_RETURN(crypto::PrivateKey server_key,
                         transparency::LoadOrCreateLogKey(config.data_dir()));
  credit_options.server_key = std::make_shared<const crypto::PrivateKey>(std::move(server_key));
  credit_options.server_author = config.log().origin();
  ORIGO_ASSIGN_OR_RETURN(host->credit_,
                         credit::CreditProcessor::Create(
                             host->registry_.get(), host->log_.get(), host->sequencer_.get(),
                             host->credit_archive_.get(), std::move(credit_options)));
  if (auto caught_up = host->credit_->LastCatchUp(); caught_up.full_scan) {
    // Once per store written by an older version (or restored from one).
    std::fprintf(stderr,
                 "origod: credit archive: read %llu log entries once to index its records\n",
                 static_cast<unsigned long long>(caught_up.leaves_read));
  }
  host->provenance_->SetCredit(host->credit_archive_.get(), host->credit_.get());
  host->credit_service_ =
      std::make_unique<credit::CreditServiceImpl>(host->credit_.get(), host->authenticator_.get());
  // Export shipping by an enterprise on the public quality blacklist is refused.
  host->processor_->SetExportGate([archive = host->credit_archive_.get()](
                                      const std::string& usci, int64_t now) -> absl::Status {
    auto listing = archive->ActiveListing(usci, now);
    if (!listing.ok()) return listing.status();
    if (!listing->has_value()) return absl::OkStatus();
    return credit::RefuseExport(**listing);
  });
  host->scans_ = std::make_unique<storage::ScanCounter>(store);
  host->resolver_ = std::make_unique<resolver::Resolver>(
      resolver::PageBuilder::Sources{
          host->provenance_.get(), host->credit_.get(), host->credit_archive_.get(),
          host->registry_.get(), host->log_.get(), host->checkpointer_.get(), host->scans_.get()},
      config.resolver(), !config.tls().cert_file().empty());
  return host;
}

}  // namespace origo::server
