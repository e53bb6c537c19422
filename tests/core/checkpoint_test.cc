#include "core/checkpoint/checkpoint.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/checkpoint/note.h"
#include "core/crypto/hash.h"
#include "core/crypto/keys.h"
#include "gtest/gtest.h"

namespace origo::checkpoint {
namespace {

constexpr char kEmDash[] = "\xE2\x80\x94";

// Published test vector of golang.org/x/mod/sumdb/note (its package documentation example).
constexpr char kPeterVkey[] = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr char kPeterSkey[] =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr char kPeterText[] =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr char kPeterSigLine[] =
    "\xE2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

NoteSigner MustSigner(const std::string& name) {
  absl::StatusOr<crypto::PrivateKey> key =
      crypto::PrivateKey::Generate(crypto::Algorithm::kEd25519);
  EXPECT_TRUE(key.ok()) << key.status();
  absl::StatusOr<NoteSigner> signer = NoteSigner::Create(name, std::move(key).value());
  EXPECT_TRUE(signer.ok()) << signer.status();
  return std::move(signer).value();
}

Checkpoint SampleCheckpoint() {
  Checkpoint c;
  c.origin = "origo.example/log";
  c.size = 123456;
  for (size_t i = 0; i < c.root.size(); ++i) c.root[i] = static_cast<uint8_t>(i * 7 + 1);
  return c;
}

// ------------------------------------------------------------------- Go checksum database data

TEST(SumdbTest, AcceptsExactlyTheValidCheckpoints) {
  const std::string json = ReadFile(std::string(ORIGO_TESTDATA_DIR) + "/checkpoint/sumdb.json");
  google::protobuf::Struct root;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &root).ok());
  const auto& fields = root.fields();
  ASSERT_TRUE(fields.contains("verifierKey"));
  ASSERT_TRUE(fields.contains("cases"));

  absl::StatusOr<NoteVerifier> verifier =
      NoteVerifier::FromVkey(fields.at("verifierKey").string_value());
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  EXPECT_EQ(verifier->name(), "sum.golang.org");
  EXPECT_EQ(verifier->key_hash(), 0x033de0aeu);
  EXPECT_EQ(verifier->Vkey(), fields.at("verifierKey").string_value());

  const auto& cases = fields.at("cases").list_value().values();
  ASSERT_GE(cases.size(), 6);
  int valid = 0;
  for (const auto& value : cases) {
    const auto& c = value.struct_value().fields();
    const std::string& desc = c.at("desc").string_value();
    const std::string& note = c.at("note").string_value();
    const bool want_valid = c.at("valid").bool_value();
    absl::StatusOr<Checkpoint> got = VerifyCheckpoint(note, *verifier);
    EXPECT_EQ(got.ok(), want_valid) << desc << ": " << got.status();
    if (!want_valid) {
      EXPECT_EQ(got.status().code(), absl::StatusCode::kUnauthenticated) << desc;
      continue;
    }
    ++valid;
    if (!got.ok()) continue;
    EXPECT_EQ(got->origin, "go.sum database tree") << desc;
    EXPECT_TRUE(got->extensions.empty()) << desc;
    // The checkpoint re-formats to exactly the signed text.
    EXPECT_EQ(note.substr(0, FormatBody(*got).size()), FormatBody(*got)) << desc;
  }
  EXPECT_EQ(valid, 3);
}

// ------------------------------------------------------------ Go sumdb/note published vector

TEST(GoNoteVectorTest, SignerReproducesPublishedNote) {
  absl::StatusOr<NoteSigner> signer = NoteSigner::FromSkey(kPeterSkey);
  ASSERT_TRUE(signer.ok()) << signer.status();
  EXPECT_EQ(signer->Vkey(), kPeterVkey);
  EXPECT_EQ(*signer->Skey(), kPeterSkey);
  absl::StatusOr<std::string> note = signer->SignNote(kPeterText);
  ASSERT_TRUE(note.ok()) << note.status();
  EXPECT_EQ(*note, absl::StrCat(kPeterText, "\n", kPeterSigLine));
}

TEST(GoNoteVectorTest, VerifierOpensPublishedNote) {
  absl::StatusOr<NoteVerifier> verifier = NoteVerifier::FromVkey(kPeterVkey);
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  EXPECT_EQ(verifier->key_hash(), 0xc74f20a3u);
  absl::StatusOr<std::string> text =
      OpenNote(absl::StrCat(kPeterText, "\n", kPeterSigLine), *verifier);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, kPeterText);
}

TEST(VkeyTest, RejectsManglings) {
  for (const char* bad : {
           "",
           "PeterNeumann",
           "PeterNeumann+c74f20a3",
           "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  // hash
           "PeterNeumanm+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  // name
           "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",   // short hash
           "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",   // base64
           "PeterNeumann+c74f20a3+Apc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",   // length
           "PeterNeumann+c74f20a3+AhpjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo0NTY3ODk=",  // type 0x02
           "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
           "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
       }) {
    EXPECT_EQ(NoteVerifier::FromVkey(bad).status().code(), absl::StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_EQ(NoteSigner::FromSkey(kPeterVkey).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(NoteSigner::FromSkey(
                "PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(KeyNameTest, Rules) {
  EXPECT_TRUE(IsValidKeyName("sum.golang.org"));
  EXPECT_TRUE(IsValidKeyName("origo.example/log/\xE6\xBA\xAF\xE6\xBA\x90"));  // CJK is fine
  EXPECT_FALSE(IsValidKeyName(""));
  EXPECT_FALSE(IsValidKeyName("a b"));
  EXPECT_FALSE(IsValidKeyName("a+b"));
  EXPECT_FALSE(IsValidKeyName("a\tb"));
  EXPECT_FALSE(
      IsValidKeyName("a\xE3\x80\x80"
                     "b"));  // U+3000 ideographic space
  EXPECT_FALSE(
      IsValidKeyName("a\xC2\xA0"
                     "b"));                       // U+00A0 no-break space
  EXPECT_FALSE(IsValidKeyName("a\xFF"));          // not UTF-8
  EXPECT_FALSE(IsValidKeyName("a\xED\xA0\x80"));  // surrogate
}

// -------------------------------------------------------------------------- body format

TEST(BodyTest, FormatParseRoundTrip) {
  Checkpoint c = SampleCheckpoint();
  c.extensions = {"Timestamp: 1700000000", "\xE5\x86\x9C\xE4\xBA\xA7\xE5\x93\x81"};
  const std::string body = FormatBody(c);
  EXPECT_EQ(body.substr(0, 25), "origo.example/log\n123456\n");
  absl::StatusOr<Checkpoint> parsed = ParseBody(body);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, c);

  Checkpoint empty_tree = SampleCheckpoint();
  empty_tree.size = 0;
  EXPECT_EQ(*ParseBody(FormatBody(empty_tree)), empty_tree);
  Checkpoint max_tree = SampleCheckpoint();
  max_tree.size = UINT64_MAX;
  EXPECT_EQ(*ParseBody(FormatBody(max_tree)), max_tree);
}

TEST(BodyTest, RejectsMalformedBodies) {
  const std::string root = crypto::Base64Encode(std::string(32, 'r'));
  const std::string ok = absl::StrCat("o\n5\n", root, "\n");
  ASSERT_TRUE(ParseBody(ok).ok());
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"empty", ""},
      {"no final newline", absl::StrCat("o\n5\n", root)},
      {"two lines", "o\n5\n"},
      {"empty origin", absl::StrCat("\n5\n", root, "\n")},
      {"leading zero", absl::StrCat("o\n05\n", root, "\n")},
      {"double zero", absl::StrCat("o\n00\n", root, "\n")},
      {"plus sign", absl::StrCat("o\n+5\n", root, "\n")},
      {"minus sign", absl::StrCat("o\n-5\n", root, "\n")},
      {"space in size", absl::StrCat("o\n 5\n", root, "\n")},
      {"hex size", absl::StrCat("o\n0x5\n", root, "\n")},
      {"empty size", absl::StrCat("o\n\n", root, "\n")},
      {"size overflow", absl::StrCat("o\n18446744073709551616\n", root, "\n")},
      {"root 31 bytes", absl::StrCat("o\n5\n", crypto::Base64Encode(std::string(31, 'r')), "\n")},
      {"root 33 bytes", absl::StrCat("o\n5\n", crypto::Base64Encode(std::string(33, 'r')), "\n")},
      {"root unpadded", absl::StrCat("o\n5\n", root.substr(0, root.size() - 1), "\n")},
      {"root url-safe", "o\n5\ncnJycnJycnJycnJycnJycnJycnJycnJycnJycnJycn-=\n"},
      {"root trailing space", absl::StrCat("o\n5\n", root, " \n")},
      {"empty extension", absl::StrCat(ok, "\n")},
      {"carriage return", absl::StrCat("o\r\n5\n", root, "\n")},
      {"bad utf-8", absl::StrCat("o\xC0\xAF\n5\n", root, "\n")},
      {"too large", absl::StrCat(ok, std::string(kMaxNoteSize, 'x'), "\n")},
  };
  for (const auto& [desc, body] : bad) {
    EXPECT_EQ(ParseBody(body).status().code(), absl::StatusCode::kInvalidArgument) << desc;
  }
  // Non-canonical base64 (non-zero padding bits) of a 32-byte root.
  std::string noncanonical = root;
  ASSERT_EQ(noncanonical.substr(noncanonical.size() - 2), "I=");  // 0b001000: 2 zero pad bits
  noncanonical[noncanonical.size() - 2] = 'J';                    // 0b001001: pad bit set
  EXPECT_FALSE(ParseBody(absl::StrCat("o\n5\n", noncanonical, "\n")).ok());
}

// ----------------------------------------------------------------------- sign and verify

TEST(SignVerifyTest, RoundTrip) {
  const NoteSigner signer = MustSigner("origo.example/log");
  Checkpoint c = SampleCheckpoint();
  c.extensions = {"ext one"};
  absl::StatusOr<std::string> note = signer.Sign(c);
  ASSERT_TRUE(note.ok()) << note.status();
  EXPECT_NE(note->find(absl::StrCat("\n\n", kEmDash, " origo.example/log ")), std::string::npos);

  absl::StatusOr<NoteVerifier> verifier = NoteVerifier::FromVkey(signer.Vkey());
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  absl::StatusOr<Checkpoint> got = VerifyCheckpoint(*note, *verifier);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, c);
  EXPECT_TRUE(VerifyCheckpoint(*note, signer.Verifier()).ok());

  // Skey export/import keeps the identity.
  absl::StatusOr<NoteSigner> reimported = NoteSigner::FromSkey(*signer.Skey());
  ASSERT_TRUE(reimported.ok()) << reimported.status();
  EXPECT_EQ(reimported->Vkey(), signer.Vkey());
  EXPECT_EQ(*reimported->Sign(c), *note);  // Ed25519 is deterministic
}

TEST(SignVerifyTest, UnknownExtraSignaturesAreIgnored) {
  const NoteSigner log = MustSigner("origo.example/log");
  const NoteSigner witness = MustSigner("witness.example/w1");
  const Checkpoint c = SampleCheckpoint();
  const std::string log_note = *log.Sign(c);
  const std::string witness_note = *witness.Sign(c);
  const std::string witness_line = witness_note.substr(witness_note.rfind("\n\n") + 2);
  // Witness line before and after the log's own line.
  const std::string body = FormatBody(c);
  const std::string log_line = log_note.substr(log_note.rfind("\n\n") + 2);
  for (const std::string& note : {absl::StrCat(body, "\n", witness_line, log_line),
                                  absl::StrCat(body, "\n", log_line, witness_line)}) {
    absl::StatusOr<Checkpoint> got = VerifyCheckpoint(note, log.Verifier());
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, c);
    EXPECT_TRUE(VerifyCheckpoint(note, witness.Verifier()).ok());
  }
  // A note signed only by the witness does not satisfy the log's verifier.
  EXPECT_EQ(VerifyCheckpoint(witness_note, log.Verifier()).status().code(),
            absl::StatusCode::kUnauthenticated);
  // Nor does a garbage line under another name and our key hash.
  const std::string other_name = absl::StrCat(body, "\n", kEmDash, " other.example/log ",
                                              crypto::Base64Encode(std::string(68, '\x01')), "\n");
  EXPECT_EQ(VerifyCheckpoint(other_name, log.Verifier()).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(SignVerifyTest, TamperedBodyOrSignatureRejected) {
  const NoteSigner signer = MustSigner("origo.example/log");
  const std::string note = *signer.Sign(SampleCheckpoint());
  // Change the tree size.
  std::string tampered_body = note;
  tampered_body.replace(tampered_body.find("123456"), 6, "123457");
  EXPECT_EQ(VerifyCheckpoint(tampered_body, signer.Verifier()).status().code(),
            absl::StatusCode::kUnauthenticated);
  // Change one byte of the signature (base64 symbol after the key hash).
  std::string tampered_sig = note;
  char& symbol = tampered_sig[tampered_sig.size() - 20];
  symbol = symbol == 'A' ? 'B' : 'A';
  EXPECT_EQ(VerifyCheckpoint(tampered_sig, signer.Verifier()).status().code(),
            absl::StatusCode::kUnauthenticated);
  // Append an extension line after signing.
  std::string extended = note;
  extended.insert(extended.rfind("\n\n") + 1, "extra\n");
  EXPECT_EQ(VerifyCheckpoint(extended, signer.Verifier()).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(SignVerifyTest, WrongKeyRejected) {
  const NoteSigner signer = MustSigner("origo.example/log");
  const NoteSigner impostor = MustSigner("origo.example/log");  // same name, other key
  const std::string note = *impostor.Sign(SampleCheckpoint());
  EXPECT_EQ(VerifyCheckpoint(note, signer.Verifier()).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(SignVerifyTest, FirstMatchingLineDecides) {
  const NoteSigner signer = MustSigner("origo.example/log");
  const std::string note = *signer.Sign(SampleCheckpoint());
  const size_t split = note.rfind("\n\n") + 2;
  const std::string line = note.substr(split);
  // A forged line with our name and key hash before the good one rejects the note (Go parity).
  std::string forged_blob = *crypto::Base64Decode(line.substr(line.rfind(' ') + 1, 92));
  forged_blob[10] ^= 0x01;
  const std::string forged_line =
      absl::StrCat(kEmDash, " origo.example/log ", crypto::Base64Encode(forged_blob), "\n");
  EXPECT_EQ(
      VerifyCheckpoint(absl::StrCat(note.substr(0, split), forged_line, line), signer.Verifier())
          .status()
          .code(),
      absl::StatusCode::kUnauthenticated);
  // A duplicate after the good one is not consulted.
  EXPECT_TRUE(VerifyCheckpoint(absl::StrCat(note, forged_line), signer.Verifier()).ok());
}

TEST(SignVerifyTest, MalformedNotesRejectedPrecisely) {
  const NoteSigner signer = MustSigner("origo.example/log");
  const std::string note = *signer.Sign(SampleCheckpoint());
  const size_t split = note.rfind("\n\n");
  const std::string body = note.substr(0, split + 1);
  const std::string line = note.substr(split + 2);
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"missing blank line", absl::StrCat(body, line)},
      {"no signatures", absl::StrCat(body, "\n")},
      {"no final newline", note.substr(0, note.size() - 1)},
      {"hyphen instead of em dash", absl::StrCat(body, "\n-", line.substr(3))},
      {"no space after dash", absl::StrCat(body, "\n", kEmDash, line.substr(4))},
      {"bad base64", absl::StrCat(body, "\n", kEmDash, " origo.example/log !!!!\n")},
      {"empty base64", absl::StrCat(body, "\n", kEmDash, " origo.example/log \n")},
      {"short signature blob", absl::StrCat(body, "\n", kEmDash, " origo.example/log AAAA\n")},
      {"bad key name", absl::StrCat(body, "\n", kEmDash, " a+b AAAAAAA=\n")},
      {"control character", absl::StrCat("o\x01", note)},
      {"too large", absl::StrCat(std::string(kMaxNoteSize, 'x'), note)},
      {"bad size in signed body",
       *signer.SignNote(
           absl::StrCat("o\n007\n", crypto::Base64Encode(std::string(32, 'r')), "\n"))},
      {"blank line inside body", absl::StrCat(body, "\n", line, "\n", line)},
  };
  for (const auto& [desc, text] : bad) {
    EXPECT_EQ(VerifyCheckpoint(text, signer.Verifier()).status().code(),
              absl::StatusCode::kInvalidArgument)
        << desc;
  }
  std::string many = note;
  for (size_t i = 0; i < kMaxNoteSignatures; ++i) many += line;
  EXPECT_EQ(VerifyCheckpoint(many, signer.Verifier()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SignVerifyTest, SignRejectsInvalidCheckpoints) {
  const NoteSigner signer = MustSigner("origo.example/log");
  Checkpoint c = SampleCheckpoint();
  c.origin = "";
  EXPECT_EQ(signer.Sign(c).status().code(), absl::StatusCode::kInvalidArgument);
  c = SampleCheckpoint();
  c.origin = "a\nb";
  EXPECT_EQ(signer.Sign(c).status().code(), absl::StatusCode::kInvalidArgument);
  c = SampleCheckpoint();
  c.extensions = {""};
  EXPECT_EQ(signer.Sign(c).status().code(), absl::StatusCode::kInvalidArgument);
  c.extensions = {"tab\tinside"};
  EXPECT_EQ(signer.Sign(c).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(signer.SignNote("no newline").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(signer.SignNote("a\n\nb\n").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(SignerTest, RequiresEd25519AndValidName) {
  absl::StatusOr<crypto::PrivateKey> p256 = crypto::PrivateKey::Generate(crypto::Algorithm::kP256);
  ASSERT_TRUE(p256.ok());
  EXPECT_EQ(NoteSigner::Create("log", std::move(p256).value()).status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<crypto::PrivateKey> ed = crypto::PrivateKey::Generate(crypto::Algorithm::kEd25519);
  ASSERT_TRUE(ed.ok());
  EXPECT_EQ(NoteSigner::Create("bad name", std::move(ed).value()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace origo::checkpoint
