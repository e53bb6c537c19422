#include "core/checkpoint/checkpoint.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/crypto/hash.h"

namespace origo::checkpoint {
namespace {

// Parses a canonical unsigned decimal: digits only, no sign, no leading zeros, < 2^64.
absl::StatusOr<uint64_t> ParseCanonicalUint64(std::string_view text) {
  if (text.empty()) return absl::InvalidArgumentError("tree size is empty");
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return absl::InvalidArgumentError("tree size must be decimal digits only");
  }
  if (text.size() > 1 && text[0] == '0') {
    return absl::InvalidArgumentError("tree size has a leading zero (non-canonical)");
  }
  uint64_t value = 0;
  for (char c : text) {
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) {
      return absl::InvalidArgumentError("tree size does not fit in 64 bits");
    }
    value = value * 10 + digit;
  }
  return value;
}

std::string_view RootView(const Checkpoint& checkpoint) {
  return std::string_view(reinterpret_cast<const char*>(checkpoint.root.data()),
                          checkpoint.root.size());
}

}  // namespace

absl::Status ValidateCheckpoint(const Checkpoint& checkpoint) {
  const auto check_line = [](const std::string& line, const std::string& what) -> absl::Status {
    if (line.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("checkpoint ", what, " is empty"));
    }
    if (line.find('\n') != std::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat("checkpoint ", what, " contains a newline"));
    }
    return absl::OkStatus();
  };
  ORIGO_RETURN_IF_ERROR(check_line(checkpoint.origin, "origin"));
  for (size_t i = 0; i < checkpoint.extensions.size(); ++i) {
    ORIGO_RETURN_IF_ERROR(check_line(checkpoint.extensions[i], absl::StrCat("extension ", i)));
  }
  // Remaining rules (UTF-8, control characters, size) are the note-text rules.
  return ValidateNoteText(FormatBody(checkpoint));
}

std::string FormatBody(const Checkpoint& checkpoint) {
  std::string body = absl::StrCat(checkpoint.origin, "\n", checkpoint.size, "\n",
                                  crypto::Base64Encode(RootView(checkpoint)), "\n");
  for (const std::string& extension : checkpoint.extensions) {
    absl::StrAppend(&body, extension, "\n");
  }
  return body;
}

absl::StatusOr<Checkpoint> ParseBody(std::string_view body) {
  if (body.size() > kMaxNoteSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("checkpoint body is ", body.size(), " bytes, limit is ", kMaxNoteSize));
  }
  // Non-empty, LF-terminated, no blank (empty) line, UTF-8 without control characters.
  ORIGO_RETURN_IF_ERROR(ValidateNoteText(body));

  std::vector<std::string_view> lines;
  for (std::string_view rest = body; !rest.empty();) {
    const size_t eol = rest.find('\n');  // found: body ends in LF
    lines.push_back(rest.substr(0, eol));
    rest.remove_prefix(eol + 1);
  }
  if (lines.size() < 3) {
    return absl::InvalidArgumentError(absl::StrCat(
        "checkpoint body has ", lines.size(), " lines, want at least 3 (origin, size, root hash)"));
  }
  Checkpoint out;
  out.origin = std::string(lines[0]);
  ORIGO_ASSIGN_OR_RETURN(out.size, ParseCanonicalUint64(lines[1]));
  absl::StatusOr<std::string> root = crypto::Base64Decode(lines[2]);
  if (!root.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("root hash: ", root.status().message()));
  }
  if (root->size() != kRootHashSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("root hash is ", root->size(), " bytes, want ", kRootHashSize));
  }
  std::copy(root->begin(), root->end(), out.root.begin());
  out.extensions.assign(lines.begin() + 3, lines.end());
  return out;
}

absl::StatusOr<Checkpoint> VerifyCheckpoint(std::string_view signed_note,
                                            const NoteVerifier& verifier) {
  ORIGO_ASSIGN_OR_RETURN(Note note, ParseNote(signed_note));
  ORIGO_ASSIGN_OR_RETURN(Checkpoint checkpoint, ParseBody(note.text));
  ORIGO_RETURN_IF_ERROR(VerifyNote(note, verifier));
  return checkpoint;
}

}  // namespace origo::checkpoint
