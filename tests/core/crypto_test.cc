#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "core/crypto/dsse.h"
#include "core/crypto/hash.h"
#include "core/crypto/keys.h"
#include "core/crypto/openssl_ptr.h"
#include "gtest/gtest.h"

namespace origo::crypto {
namespace {

std::string Unhex(std::string_view hex) {
  absl::StatusOr<std::string> bytes = HexDecode(hex);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.ok() ? *bytes : std::string();
}

PrivateKey MustGenerate(Algorithm algorithm) {
  absl::StatusOr<PrivateKey> key = PrivateKey::Generate(algorithm);
  EXPECT_TRUE(key.ok()) << key.status();
  return std::move(key).value();
}

// SPKI DER of a freshly generated key of any OpenSSL type (for "unsupported key" tests).
std::string ForeignSpki(EVP_PKEY* pkey) {
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(pkey, &der);
  std::string out(reinterpret_cast<char*>(der), len);
  OPENSSL_free(der);
  return out;
}

// ----------------------------------------------------------------------------------- hashing

TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(HexEncode(Sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(HexEncode(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256Test, IncrementalMatchesOneShotAndResets) {
  Sha256Hasher hasher;
  hasher.Update("a").Update("").Update("bc");
  EXPECT_EQ(hasher.Finish(), Sha256("abc"));
  hasher.Update("abc");
  EXPECT_EQ(hasher.Finish(), Sha256("abc"));
}

TEST(HexTest, RoundTripAndErrors) {
  const std::string bytes("\x00\x01\xab\xff", 4);
  EXPECT_EQ(HexEncode(bytes), "0001abff");
  EXPECT_EQ(*HexDecode("0001ABff"), bytes);
  EXPECT_EQ(*HexDecode(""), "");
  EXPECT_EQ(HexDecode("abc").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(HexDecode("zz").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Base64Test, Rfc4648Vectors) {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    absl::StatusOr<std::string> decoded = Base64Decode(encoded);
    ASSERT_TRUE(decoded.ok()) << encoded << ": " << decoded.status();
    EXPECT_EQ(*decoded, plain);
  }
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  EXPECT_EQ(*Base64Decode(Base64Encode(all)), all);
}

TEST(Base64Test, RejectsNonCanonicalAndMalformed) {
  for (const char* bad : {"Zg=", "Zg", "Zh==", "Zm9=", "Zg==Zg==", "Z g=", "Zm9v\n", "=Zm9", "Zm=v",
                          "====", "Zm9-", "Zm9_", "Zm8==="}) {
    EXPECT_EQ(Base64Decode(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

// -------------------------------------------------------------------------------------- keys

class KeyTest : public ::testing::TestWithParam<Algorithm> {};

TEST_P(KeyTest, SignVerifyRoundTrip) {
  const PrivateKey key = MustGenerate(GetParam());
  EXPECT_EQ(key.algorithm(), GetParam());
  absl::StatusOr<std::string> sig = key.Sign("batch manifest");
  ASSERT_TRUE(sig.ok()) << sig.status();
  const PublicKey pub = key.Public();
  EXPECT_EQ(pub.algorithm(), GetParam());
  EXPECT_TRUE(pub.Verify("batch manifest", *sig).ok());
  if (GetParam() == Algorithm::kEd25519) {
    EXPECT_EQ(sig->size(), kEd25519SignatureSize);
  }
}

TEST_P(KeyTest, TamperedMessageOrSignatureIsUnauthenticated) {
  const PrivateKey key = MustGenerate(GetParam());
  std::string sig = *key.Sign("lot 42");
  EXPECT_EQ(key.Public().Verify("lot 43", sig).code(), absl::StatusCode::kUnauthenticated);
  // Flip a bit near the end: for DER this stays well-formed (it is inside the integer s).
  sig[sig.size() - 2] ^= 0x01;
  EXPECT_EQ(key.Public().Verify("lot 42", sig).code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ERR_peek_error(), 0u) << "OpenSSL error queue must be drained";
}

TEST_P(KeyTest, WrongKeyIsUnauthenticated) {
  const PrivateKey key = MustGenerate(GetParam());
  const PrivateKey other = MustGenerate(GetParam());
  const std::string sig = *key.Sign("m");
  EXPECT_EQ(other.Public().Verify("m", sig).code(), absl::StatusCode::kUnauthenticated);
}

TEST_P(KeyTest, MalformedSignatureIsInvalidArgument) {
  const PrivateKey key = MustGenerate(GetParam());
  const std::string sig = *key.Sign("m");
  EXPECT_EQ(key.Public().Verify("m", "").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(key.Public().Verify("m", sig + "x").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(key.Public().Verify("m", sig.substr(1)).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST_P(KeyTest, PemAndDerRoundTripKeepKeyId) {
  const PrivateKey key = MustGenerate(GetParam());
  const PublicKey pub = key.Public();

  absl::StatusOr<std::string> private_pem = key.ToPem();
  ASSERT_TRUE(private_pem.ok()) << private_pem.status();
  EXPECT_NE(private_pem->find("-----BEGIN PRIVATE KEY-----"), std::string::npos);  // PKCS#8
  absl::StatusOr<PrivateKey> reloaded = PrivateKey::FromPem(*private_pem);
  ASSERT_TRUE(reloaded.ok()) << reloaded.status();
  EXPECT_EQ(reloaded->Public().KeyId(), pub.KeyId());
  EXPECT_TRUE(pub.Verify("x", *reloaded->Sign("x")).ok());

  absl::StatusOr<PublicKey> from_pem = PublicKey::FromPem(pub.ToPem());
  ASSERT_TRUE(from_pem.ok()) << from_pem.status();
  absl::StatusOr<PublicKey> from_der = PublicKey::FromDer(pub.ToDer());
  ASSERT_TRUE(from_der.ok()) << from_der.status();
  EXPECT_EQ(from_pem->KeyId(), pub.KeyId());
  EXPECT_EQ(from_der->KeyId(), pub.KeyId());
  EXPECT_TRUE(*from_der == pub);

  // KeyId is the documented function of the SPKI DER.
  EXPECT_EQ(pub.KeyId(), HexEncode(Sha256(pub.ToDer())));
  EXPECT_EQ(pub.KeyId().size(), 64u);
}

TEST_P(KeyTest, CopiesShareAndWorkAcrossThreads) {
  const PrivateKey key = MustGenerate(GetParam());
  const std::string sig = *key.Sign("shared");
  const PublicKey pub = key.Public();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, copy = pub] {
      for (int i = 0; i < 50; ++i) {
        if (copy.Verify("shared", sig).ok() && !copy.Verify("other", sig).ok()) ++ok;
        if (!key.Public().Verify("x", *key.Sign("x")).ok()) --ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 200);
}

INSTANTIATE_TEST_SUITE_P(Algorithms, KeyTest,
                         ::testing::Values(Algorithm::kEd25519, Algorithm::kP256),
                         [](const auto& info) { return std::string(AlgorithmName(info.param)); });

TEST(Ed25519Test, Rfc8032TestVector1) {
  const std::string seed =
      Unhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  const std::string pub = Unhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  const std::string sig = Unhex(
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e3970"
      "1cf9b46bd25bf5f0595bbe24655141438e7a100b");
  absl::StatusOr<PrivateKey> key = PrivateKey::FromEd25519Seed(seed);
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(*key->Ed25519Seed(), seed);
  EXPECT_EQ(*key->Public().RawPublicKey(), pub);
  EXPECT_EQ(*key->Sign(""), sig);  // Ed25519 is deterministic.

  absl::StatusOr<PublicKey> raw = PublicKey::FromRawEd25519(pub);
  ASSERT_TRUE(raw.ok()) << raw.status();
  EXPECT_EQ(raw->KeyId(), key->Public().KeyId());
  EXPECT_TRUE(raw->Verify("", sig).ok());
}

TEST(Ed25519Test, RawSizesChecked) {
  EXPECT_EQ(PublicKey::FromRawEd25519(std::string(31, 'a')).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PrivateKey::FromEd25519Seed(std::string(33, 'a')).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(P256Test, RawAccessorsAreEd25519Only) {
  const PrivateKey key = MustGenerate(Algorithm::kP256);
  EXPECT_EQ(key.Public().RawPublicKey().status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(key.Ed25519Seed().status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(P256Test, CompressedPointEncodingHasSameKeyId) {
  const PublicKey pub = MustGenerate(Algorithm::kP256).Public();
  const std::string& der = pub.ToDer();
  // Canonical SPKI: 26-byte prefix, then 0x04 || X(32) || Y(32).
  ASSERT_EQ(der.size(), 91u);
  ASSERT_EQ(der[26], '\x04');
  const std::string x = der.substr(27, 32);
  const bool y_odd = (static_cast<uint8_t>(der[90]) & 1) != 0;
  std::string compressed = Unhex("3039301306072a8648ce3d020106082a8648ce3d030107032200");
  compressed += y_odd ? '\x03' : '\x02';
  compressed += x;
  absl::StatusOr<PublicKey> parsed = PublicKey::FromDer(compressed);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->KeyId(), pub.KeyId());
  EXPECT_EQ(parsed->ToDer(), der);
}

TEST(P256Test, PointOffCurveRejected) {
  std::string der = MustGenerate(Algorithm::kP256).Public().ToDer();
  der[90] ^= 0x01;  // Y changes, so the point leaves the curve.
  EXPECT_EQ(PublicKey::FromDer(der).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(P256Test, NonStrictDerSignatureIsInvalidArgument) {
  const PrivateKey key = MustGenerate(Algorithm::kP256);
  const std::string sig = *key.Sign("m");
  ASSERT_EQ(sig[0], '\x30');
  ASSERT_LT(static_cast<uint8_t>(sig[1]), 0x80);
  // Same content, long-form length: valid BER, invalid DER.
  std::string ber = sig.substr(0, 1) + "\x81" + sig.substr(1);
  EXPECT_EQ(key.Public().Verify("m", ber).code(), absl::StatusCode::kInvalidArgument);
  // An Ed25519-shaped signature is not DER at all.
  EXPECT_EQ(key.Public().Verify("m", std::string(64, '\x01')).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(KeyParseTest, RejectsUnsupportedAndMalformedKeys) {
  EvpPkeyPtr p384(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  ASSERT_NE(p384, nullptr);
  absl::StatusOr<PublicKey> p384_key = PublicKey::FromDer(ForeignSpki(p384.get()));
  EXPECT_EQ(p384_key.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(p384_key.status().message().find("P-256"), std::string::npos) << p384_key.status();

  EvpPkeyPtr x25519(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"));
  ASSERT_NE(x25519, nullptr);
  EXPECT_EQ(PublicKey::FromDer(ForeignSpki(x25519.get())).status().code(),
            absl::StatusCode::kInvalidArgument);

  EXPECT_EQ(PublicKey::FromDer("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PublicKey::FromDer("garbage").status().code(), absl::StatusCode::kInvalidArgument);
  const PublicKey good = MustGenerate(Algorithm::kEd25519).Public();
  EXPECT_EQ(PublicKey::FromDer(good.ToDer() + "x").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PublicKey::FromPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PrivateKey::FromPem(good.ToPem()).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(KeyParseTest, EncryptedPrivateKeyRejectedWithoutPrompt) {
  const PrivateKey key = MustGenerate(Algorithm::kEd25519);
  EvpPkeyPtr pkey;
  {
    const std::string pem = *key.ToPem();
    BioPtr in(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    pkey.reset(PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr));
    ASSERT_NE(pkey, nullptr);
  }
  BioPtr out(BIO_new(BIO_s_mem()));
  char pass[] = "secret";
  ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(out.get(), pkey.get(), EVP_aes_256_cbc(), pass, 6,
                                          nullptr, nullptr),
            1);
  char* data = nullptr;
  const long len = BIO_get_mem_data(out.get(), &data);
  const absl::StatusOr<PrivateKey> parsed = PrivateKey::FromPem(std::string(data, len));
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
}

// -------------------------------------------------------------------------------------- DSSE

TEST(DsseTest, PreAuthEncodingMatchesSpecExample) {
  EXPECT_EQ(PreAuthEncoding("http://example.com/HelloWorld", "hello world"),
            "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  EXPECT_EQ(PreAuthEncoding("", ""), "DSSEv1 0  0 ");
}

TEST(DsseTest, SignVerifyAndTypeBinding) {
  for (Algorithm algorithm : {Algorithm::kEd25519, Algorithm::kP256}) {
    const PrivateKey key = MustGenerate(algorithm);
    const std::string type = "application/vnd.origo.manifest+json";
    const std::string payload = R"({"batch":1})";
    absl::StatusOr<std::string> sig = SignDsse(key, type, payload);
    ASSERT_TRUE(sig.ok()) << sig.status();
    EXPECT_TRUE(VerifyDsse(key.Public(), type, payload, *sig).ok());
    EXPECT_EQ(VerifyDsse(key.Public(), "text/plain", payload, *sig).code(),
              absl::StatusCode::kUnauthenticated);
    EXPECT_EQ(VerifyDsse(key.Public(), type, payload + " ", *sig).code(),
              absl::StatusCode::kUnauthenticated);
    // A signature over the bare payload is not a DSSE signature.
    EXPECT_EQ(VerifyDsse(key.Public(), type, payload, *key.Sign(payload)).code(),
              absl::StatusCode::kUnauthenticated);
  }
}

// ---------------------------------------------------------------------------------- KeyCache

TEST(KeyCacheTest, InsertLookupErase) {
  KeyCache cache;
  const PublicKey a = MustGenerate(Algorithm::kEd25519).Public();
  const PublicKey b = MustGenerate(Algorithm::kP256).Public();
  EXPECT_EQ(cache.Lookup(a.KeyId()).status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(cache.Insert(a) == a);
  absl::StatusOr<PublicKey> b_cached = cache.InsertDer(b.ToDer());
  ASSERT_TRUE(b_cached.ok()) << b_cached.status();
  EXPECT_EQ(b_cached->KeyId(), b.KeyId());
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_TRUE(cache.InsertDer(b.ToDer()).ok());
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.Lookup(a.KeyId())->KeyId(), a.KeyId());
  EXPECT_EQ(cache.InsertDer("junk").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(cache.Erase(a.KeyId()));
  EXPECT_FALSE(cache.Erase(a.KeyId()));
  EXPECT_EQ(cache.Lookup(a.KeyId()).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(KeyCacheTest, ConcurrentInsertAndVerify) {
  KeyCache cache;
  std::vector<PrivateKey> keys;
  for (int i = 0; i < 8; ++i) {
    keys.push_back(MustGenerate(i % 2 ? Algorithm::kP256 : Algorithm::kEd25519));
  }
  std::vector<std::string> sigs;
  for (const auto& key : keys) sigs.push_back(*key.Sign("event"));
  std::atomic<int> verified{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < 10; ++round) {
        for (size_t i = 0; i < keys.size(); ++i) {
          absl::StatusOr<PublicKey> key = cache.InsertDer(keys[i].Public().ToDer());
          if (!key.ok()) continue;
          absl::StatusOr<PublicKey> found = cache.Lookup(key->KeyId());
          if (found.ok() && found->Verify("event", sigs[i]).ok()) ++verified;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(verified.load(), 4 * 10 * 8);
  EXPECT_EQ(cache.size(), 8u);
}

}  // namespace
}  // namespace origo::crypto

namespace origo::crypto {
namespace {

TEST(Ed25519VerifyTest, RefusesTheUniversalSignatureOfTheIdentityKey) {
  // Under the identity point as public key, R = identity and S = 0 satisfy the verification
  // equation for every message, and OpenSSL 3.0 accepts it. A key like that must not be able to
  // sign anything: Verify refuses small-order keys and R values.
  std::string identity(32, '\0');
  identity[0] = 1;
  auto key = PublicKey::FromRawEd25519(identity);
  ASSERT_TRUE(key.ok()) << key.status();
  const std::string signature = identity + std::string(32, '\0');
  EXPECT_EQ(key->Verify("any message", signature).code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(key->Verify("another", signature).code(), absl::StatusCode::kUnauthenticated);

  // OpenSSL-made signatures still verify, and a changed message does not.
  auto signer = PrivateKey::Generate(Algorithm::kEd25519).value();
  const std::string good = signer.Sign("message").value();
  EXPECT_TRUE(signer.Public().Verify("message", good).ok());
  EXPECT_EQ(signer.Public().Verify("messagE", good).code(), absl::StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace origo::crypto
