// browser_bundle_fixture: writes a proof bundle made offline with the real core code, for the
// browser test's static page (consumer_page_test.mjs). The real-server test only sees the demo's
// Ed25519 producers; this fixture signs one batch with an Ed25519 key and one with a P-256 key
// (DER signatures from OpenSSL) so verify.js's handling of both is exercised in Chromium.
//
// Usage: browser_bundle_fixture OUT.json
// OUT.json = {"log": {"origin", "vkey"}, "bundle": <the proofs endpoint's JSON shape>}

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "core/batch/batch.h"
#include "core/checkpoint/checkpoint.h"
#include "core/checkpoint/note.h"
#include "core/crypto/hash.h"
#include "core/crypto/keys.h"

namespace {

using origo::batch::BatchTree;

std::string B64(std::string_view bytes) { return origo::crypto::Base64Encode(bytes); }
std::string B64(const origo::merkle::Hash& h) {
  return B64(std::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
}

struct Leaf {
  std::string event_id;
  std::string bytes;
  std::string alg;
  std::string spki;
};

int Fail(const absl::Status& status) {
  std::cerr << "browser_bundle_fixture: " << status << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: browser_bundle_fixture OUT.json\n";
    return 2;
  }
  std::vector<Leaf> leaves;
  int n = 0;
  for (auto alg : {origo::crypto::Algorithm::kEd25519, origo::crypto::Algorithm::kP256}) {
    auto key = origo::crypto::PrivateKey::Generate(alg);
    if (!key.ok()) return Fail(key.status());
    // Three events so each batch path has a hash and an odd tree shape.
    std::vector<std::string> events;
    for (int i = 0; i < 3; ++i, ++n) {
      events.push_back(R"({"type":"ObjectEvent","eventTime":"2026-09-0)" + std::to_string(i + 1) +
                       R"(T10:00:00+08:00","action":"OBSERVE","n":)" + std::to_string(n) + "}");
    }
    auto batch = origo::batch::SignBatch(events, "91640100MA77XL2X3M", *key, 1790000000000);
    if (!batch.ok()) return Fail(batch.status());
    BatchTree tree(events);
    for (size_t i = 0; i < events.size(); ++i) {
      auto path = tree.Path(i);
      if (!path.ok()) return Fail(path.status());
      origo::v1::LogLeaf leaf;
      leaf.set_event(events[i]);
      leaf.set_batch_index(static_cast<uint32_t>(i));
      for (const auto& h : *path) {
        leaf.add_batch_path(std::string(reinterpret_cast<const char*>(h.data()), h.size()));
      }
      leaf.set_manifest(batch->manifest());
      leaf.set_signature(batch->signature());
      leaf.set_record_unix_ms(1790000000500 + static_cast<int64_t>(i));
      leaves.push_back({origo::batch::EventId(events[i]), origo::batch::DeterministicBytes(leaf),
                        std::string(origo::crypto::AlgorithmName(alg)), key->Public().ToDer()});
    }
  }

  // The log: the leaves above, then one more entry so the tree size is not a power of two.
  std::vector<std::string> log_entries;
  for (const Leaf& l : leaves) log_entries.push_back(l.bytes);
  log_entries.push_back("unrelated entry");
  BatchTree log(log_entries);  // same RFC 9162 tree as the log's
  auto log_key = origo::crypto::PrivateKey::Generate(origo::crypto::Algorithm::kEd25519);
  if (!log_key.ok()) return Fail(log_key.status());
  auto signer = origo::checkpoint::NoteSigner::Create("origo.test/log", *std::move(log_key));
  if (!signer.ok()) return Fail(signer.status());
  origo::checkpoint::Checkpoint cp;
  cp.origin = "origo.test/log";
  cp.size = log_entries.size();
  origo::merkle::Hash root = log.Root();
  std::copy(root.begin(), root.end(), cp.root.begin());
  auto note = signer->Sign(cp);
  if (!note.ok()) return Fail(note.status());

  auto json_str = [](const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
      if (c == '\n') {
        out += "\\n";
      } else if (c == '"' || c == '\\') {
        out += '\\';
        out += c;
      } else {
        out += c;
      }
    }
    return out + "\"";
  };
  std::string out = "{\"log\":{\"origin\":" + json_str(cp.origin) +
                    ",\"vkey\":" + json_str(signer->Vkey()) +
                    "},\"bundle\":{\"checkpoint\":" + json_str(*note) +
                    ",\"tree_size\":" + std::to_string(cp.size) + ",\"events\":[";
  for (size_t i = 0; i < leaves.size(); ++i) {
    auto proof = log.Path(i);
    if (!proof.ok()) return Fail(proof.status());
    if (i > 0) out += ",";
    out += "{\"event_id\":" + json_str(leaves[i].event_id) +
           ",\"leaf_index\":" + std::to_string(i) + ",\"leaf\":" + json_str(B64(leaves[i].bytes)) +
           ",\"inclusion\":[";
    for (size_t k = 0; k < proof->size(); ++k) out += (k ? "," : "") + json_str(B64((*proof)[k]));
    out += "],\"producer_key\":{\"alg\":" + json_str(leaves[i].alg) +
           ",\"spki\":" + json_str(B64(leaves[i].spki)) + "}}";
  }
  out += "]}}\n";
  std::ofstream file(argv[1], std::ios::binary | std::ios::trunc);
  file << out;
  if (!file.good()) {
    std::cerr << "browser_bundle_fixture: cannot write " << argv[1] << "\n";
    return 1;
  }
  return 0;
}
