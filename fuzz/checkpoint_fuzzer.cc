// libFuzzer target: C2SP signed notes and tlog checkpoints (core/checkpoint/{note,checkpoint}.h).
//
// Input: arbitrary bytes, read as a signed note, as a checkpoint body, and as verifier and signer
// key strings. Verifiers: the Go checksum database's published key (seeds hold its real
// checkpoints) and the fixed Ed25519 key of fixed_keys.h. Checked:
//  - ParseNote, ParseBody, FromVkey, FromSkey reject with INVALID_ARGUMENT only; VerifyCheckpoint
//    and OpenNote with INVALID_ARGUMENT or UNAUTHENTICATED;
//  - an accepted note obeys the grammar (text ends in LF, 1..kMaxNoteSignatures valid lines);
//  - an accepted body is canonical: FormatBody(ParseBody(b)) == b, and it passes
//    ValidateCheckpoint;
//  - VerifyCheckpoint returns ParseBody of the note text, and agrees with OpenNote;
//  - re-signing an accepted checkpoint with the fixed key gives a note that verifies back to it;
//  - a parsed key string re-encodes to a key string that parses to the same key.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/checkpoint/checkpoint.h"
#include "core/checkpoint/note.h"
#include "fuzz/fixed_keys.h"
#include "fuzz/fuzz_util.h"

namespace origo::fuzz {
namespace {

using checkpoint::NoteSigner;
using checkpoint::NoteVerifier;

constexpr char kSumDbVkey[] =
    "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";

const NoteSigner& FixedSigner() {
  static const NoteSigner* signer = [] {
    auto key = crypto::PrivateKey::FromEd25519Seed(*FixedEd25519Key().Ed25519Seed());
    if (!key.ok()) Fail(__FILE__, __LINE__, "FromEd25519Seed", key.status().ToString());
    auto created = NoteSigner::Create(kFixedNoteKeyName, *std::move(key));
    if (!created.ok()) Fail(__FILE__, __LINE__, "NoteSigner::Create", created.status().ToString());
    return new NoteSigner(*std::move(created));
  }();
  return *signer;
}

const NoteVerifier& SumDbVerifier() {
  static const NoteVerifier* verifier = [] {
    auto parsed = NoteVerifier::FromVkey(kSumDbVkey);
    if (!parsed.ok()) Fail(__FILE__, __LINE__, "FromVkey", parsed.status().ToString());
    return new NoteVerifier(*std::move(parsed));
  }();
  return *verifier;
}

void CheckBody(std::string_view body) {
  auto parsed = checkpoint::ParseBody(body);
  CheckRejection(parsed.status(), {absl::StatusCode::kInvalidArgument}, "ParseBody");
  if (!parsed.ok()) return;
  ORIGO_FUZZ_CHECK(checkpoint::FormatBody(*parsed) == body, "accepted body is not canonical");
  const absl::Status valid = checkpoint::ValidateCheckpoint(*parsed);
  ORIGO_FUZZ_CHECK(valid.ok(), "parsed checkpoint fails ValidateCheckpoint: " + valid.ToString());

  auto signed_note = FixedSigner().Sign(*parsed);
  ORIGO_FUZZ_CHECK(signed_note.ok(),
                   "Sign refused a parsed checkpoint: " + signed_note.status().ToString());
  auto verified = checkpoint::VerifyCheckpoint(*signed_note, FixedSigner().Verifier());
  ORIGO_FUZZ_CHECK(
      verified.ok() && *verified == *parsed,
      "a re-signed checkpoint does not verify back to itself: " + verified.status().ToString());
}

void CheckVerify(std::string_view input, const checkpoint::Note* note,
                 const NoteVerifier& verifier) {
  auto checkpoint = checkpoint::VerifyCheckpoint(input, verifier);
  CheckRejection(checkpoint.status(),
                 {absl::StatusCode::kInvalidArgument, absl::StatusCode::kUnauthenticated},
                 "VerifyCheckpoint");
  auto opened = checkpoint::OpenNote(input, verifier);
  CheckRejection(opened.status(),
                 {absl::StatusCode::kInvalidArgument, absl::StatusCode::kUnauthenticated},
                 "OpenNote");
  ORIGO_FUZZ_CHECK(note != nullptr || !opened.ok(), "OpenNote accepted what ParseNote rejects");
  if (!checkpoint.ok()) return;
  ORIGO_FUZZ_CHECK(opened.ok() && *opened == note->text,
                   "VerifyCheckpoint accepts a note OpenNote rejects");
  auto body = checkpoint::ParseBody(note->text);
  ORIGO_FUZZ_CHECK(body.ok() && *body == *checkpoint,
                   "VerifyCheckpoint returned another checkpoint than the note text holds");
}

void CheckKeyStrings(std::string_view input) {
  auto verifier = NoteVerifier::FromVkey(input);
  CheckRejection(verifier.status(), {absl::StatusCode::kInvalidArgument}, "FromVkey");
  if (verifier.ok()) {
    auto again = NoteVerifier::FromVkey(verifier->Vkey());
    ORIGO_FUZZ_CHECK(again.ok() && again->name() == verifier->name() &&
                         again->key_hash() == verifier->key_hash() &&
                         again->public_key() == verifier->public_key(),
                     "Vkey() does not parse back to the same verifier");
  }
  auto signer = NoteSigner::FromSkey(input);
  CheckRejection(signer.status(), {absl::StatusCode::kInvalidArgument}, "FromSkey");
  if (signer.ok()) {
    auto skey = signer->Skey();
    ORIGO_FUZZ_CHECK(skey.ok(), skey.status().ToString());
    auto again = NoteSigner::FromSkey(*skey);
    ORIGO_FUZZ_CHECK(again.ok() && again->Vkey() == signer->Vkey(),
                     "Skey() does not parse back to the same signer");
  }
}

}  // namespace
}  // namespace origo::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace origo;
  using namespace origo::fuzz;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  auto note = checkpoint::ParseNote(input);
  CheckRejection(note.status(), {absl::StatusCode::kInvalidArgument}, "ParseNote");
  if (note.ok()) {
    ORIGO_FUZZ_CHECK(!note->text.empty() && note->text.back() == '\n',
                     "note text does not end in LF");
    ORIGO_FUZZ_CHECK(
        !note->signatures.empty() && note->signatures.size() <= checkpoint::kMaxNoteSignatures,
        "note signature count out of range");
    for (const checkpoint::NoteSignature& sig : note->signatures) {
      ORIGO_FUZZ_CHECK(checkpoint::IsValidKeyName(sig.name), "invalid key name accepted");
      ORIGO_FUZZ_CHECK(!sig.signature.empty(), "empty signature accepted");
    }
    CheckBody(note->text);
  }
  const checkpoint::Note* parsed = note.ok() ? &*note : nullptr;
  CheckVerify(input, parsed, SumDbVerifier());
  CheckVerify(input, parsed, FixedSigner().Verifier());
  CheckBody(input);
  CheckKeyStrings(input);
  return 0;
}
