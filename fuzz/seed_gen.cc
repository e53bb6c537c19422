// origo_fuzz_seeds: writes the seeds of fuzz/corpus that must be signed by the fixed keys of
// fixed_keys.h (signed batches, log leaves, signed checkpoint notes, key strings).
//
//   origo_fuzz_seeds OUT_DIR EVENTS.jsonl...
//
// writes OUT_DIR/batch_fuzzer/* and OUT_DIR/checkpoint_fuzzer/*, using the events (one JSON
// object per line) as batch contents. Ed25519 signatures are deterministic, so the output is the
// same on every run except for the P-256 seed (ECDSA signatures are randomised).

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "core/batch/batch.h"
#include "core/checkpoint/checkpoint.h"
#include "core/checkpoint/note.h"
#include "fuzz/fixed_keys.h"

namespace origo::fuzz {
namespace {

void Write(const std::filesystem::path& path, const std::string& bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  if (!out) Fail(__FILE__, __LINE__, "write", path.string());
}

template <typename T>
T Must(absl::StatusOr<T> value) {
  if (!value.ok()) Fail(__FILE__, __LINE__, "Must", value.status().ToString());
  return *std::move(value);
}

origo::v1::LogLeaf Leaf(const origo::v1::SignedBatch& batch, int index) {
  batch::BatchTree tree(batch.events());
  origo::v1::LogLeaf leaf;
  leaf.set_event(batch.events(index));
  leaf.set_batch_index(static_cast<uint32_t>(index));
  for (const merkle::Hash& h : Must(tree.Path(static_cast<uint64_t>(index)))) {
    leaf.add_batch_path(std::string(reinterpret_cast<const char*>(h.data()), h.size()));
  }
  leaf.set_manifest(batch.manifest());
  leaf.set_signature(batch.signature());
  leaf.set_record_unix_ms(1787400000000);
  return leaf;
}

void WriteBatchSeeds(const std::filesystem::path& dir, const std::vector<std::string>& events) {
  const std::string usci = "91640521MA76GJ0Q1B";
  const int64_t signed_ms = 1787400000000;
  auto sign = [&](size_t n) {
    return Must(batch::SignBatch(std::vector<std::string>(events.begin(), events.begin() + n), usci,
                                 FixedEd25519Key(), signed_ms));
  };
  const size_t n = events.size();
  const origo::v1::SignedBatch one = sign(1);
  const origo::v1::SignedBatch three = sign(std::min<size_t>(3, n));
  const origo::v1::SignedBatch all = sign(n);
  Write(dir / "signed_1", one.SerializeAsString());
  Write(dir / "signed_3", three.SerializeAsString());
  Write(dir / "signed_all", all.SerializeAsString());
  Write(dir / "signed_p256_2",
        Must(batch::SignBatch(std::vector<std::string>(events.begin(), events.begin() + 2), usci,
                              FixedP256Key(), signed_ms))
            .SerializeAsString());

  origo::v1::SignedBatch bad_signature = three;
  bad_signature.mutable_signature()->back() ^= 0x01;
  Write(dir / "bad_signature", bad_signature.SerializeAsString());
  origo::v1::SignedBatch dropped = three;
  dropped.mutable_events()->RemoveLast();
  Write(dir / "size_mismatch", dropped.SerializeAsString());
  origo::v1::SignedBatch changed = three;
  changed.set_events(0, changed.events(0) + " ");
  Write(dir / "root_mismatch", changed.SerializeAsString());
  // The manifest's fields in reverse order: parses, but is not the deterministic encoding.
  const origo::v1::BatchManifest manifest = Must(batch::ParseManifest(one.manifest()));
  origo::v1::BatchManifest fields[5];
  fields[0].set_signed_unix_ms(manifest.signed_unix_ms());
  fields[1].set_batch_root(manifest.batch_root());
  fields[2].set_batch_size(manifest.batch_size());
  fields[3].set_key_id(manifest.key_id());
  fields[4].set_enterprise(manifest.enterprise());
  std::string reordered;
  for (const origo::v1::BatchManifest& field : fields)
    reordered += batch::DeterministicBytes(field);
  origo::v1::SignedBatch nondeterministic = one;
  nondeterministic.set_manifest(reordered);
  Write(dir / "nondeterministic_manifest", nondeterministic.SerializeAsString());
  Write(dir / "empty", "");

  Write(dir / "leaf_0_of_3", Leaf(three, 0).SerializeAsString());
  Write(dir / "leaf_last_of_all", Leaf(all, static_cast<int>(n) - 1).SerializeAsString());
  origo::v1::LogLeaf bad_path = Leaf(three, 1);
  bad_path.mutable_batch_path(0)->front() ^= 0x01;
  Write(dir / "leaf_bad_path", bad_path.SerializeAsString());
}

void WriteCheckpointSeeds(const std::filesystem::path& dir) {
  auto seed = Must(FixedEd25519Key().Ed25519Seed());
  const checkpoint::NoteSigner signer = Must(checkpoint::NoteSigner::Create(
      kFixedNoteKeyName, Must(crypto::PrivateKey::FromEd25519Seed(seed))));
  checkpoint::Checkpoint cp;
  cp.origin = "origo.fuzz/log";
  cp.size = 1234567;
  for (size_t i = 0; i < cp.root.size(); ++i) cp.root[i] = static_cast<uint8_t>(i * 7);
  const std::string plain = Must(signer.Sign(cp));
  Write(dir / "origo_signed.note", plain);
  Write(dir / "origo_body.txt", checkpoint::FormatBody(cp));
  cp.extensions = {"Timestamp: 1787400000", "ext two"};
  const std::string with_extensions = Must(signer.Sign(cp));
  Write(dir / "origo_signed_extensions.note", with_extensions);
  // A second, foreign signature line before ours (ignored by the verifier).
  const std::string text = with_extensions.substr(0, with_extensions.find("\n\n") + 1);
  const std::string ours = with_extensions.substr(with_extensions.find("\n\n") + 2);
  Write(dir / "origo_cosigned.note",
        text + "\n\xE2\x80\x94 witness.example AAAAAQ" + std::string(85, 'A') + "=\n" + ours);
  cp.size = 0;
  cp.extensions.clear();
  Write(dir / "origo_signed_empty_tree.note", Must(signer.Sign(cp)));
  Write(dir / "origo.vkey", signer.Vkey());
  Write(dir / "origo.skey", Must(signer.Skey()));
}

}  // namespace
}  // namespace origo::fuzz

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: origo_fuzz_seeds OUT_DIR EVENTS.jsonl...\n";
    return 2;
  }
  std::vector<std::string> events;
  for (int i = 2; i < argc; ++i) {
    std::ifstream in(argv[i]);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) events.push_back(line);
    }
  }
  if (events.size() < 3) {
    std::cerr << "origo_fuzz_seeds: need at least 3 events\n";
    return 2;
  }
  const std::filesystem::path out = argv[1];
  origo::fuzz::WriteBatchSeeds(out / "batch_fuzzer", events);
  origo::fuzz::WriteCheckpointSeeds(out / "checkpoint_fuzzer");
  return 0;
}
