// origo label: the GS1 Digital Link QR code of a lot or a serialised item, with its
// human-readable interpretation (HRI) under it, as SVG (for label printers' design tools) or PNG
// (for printers fed bitmaps), for packing lines.
//
// The symbol: QR code, error correction level M, byte mode, holding "<host><canonical path>",
// e.g. https://id.origo.example/01/09506000134352/10/ABC; a quiet zone of 4 modules on every side
// (ISO/IEC 18004). The HRI is one line per AI, "(01) 09506000134352", "(10) ABC", below the
// quiet zone.
//
// The PNG is written with libpng (and the text drawn with a small built-in 5x7 bitmap font), not
// by rasterising the SVG: a label is then the same bytes on every machine, with no font files or
// rendering library needed at the packing line.

#include <png.h>
#include <qrencode.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "clients/cli/cli.h"
#include "clients/cli/files.h"
#include "core/base/html_escape.h"
#include "core/base/status_macros.h"
#include "core/gs1/digital_link.h"
#include "core/gs1/gs1.h"

namespace origo::cli {
namespace {

// The resolver host printed in codes when --host is not given. A placeholder: a deployment
// passes its own resolver's host (any host resolves, DESIGN §3).
constexpr char kDefaultHost[] = "https://id.origo.example";
constexpr int kQuietZone = 4;  // modules

// Percent-encodes everything outside the URI-unreserved set, so that a value of GS1 set 82
// ('/', '%', '?', ...) survives being put in a path.
// `text` without leading and trailing ASCII white space.
std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

std::string PercentEncode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// "(01)09506000134352(10)ABC" (spaces between elements allowed) -> "/01/09506000134352/10/ABC".
absl::StatusOr<std::string> ElementStringToPath(std::string_view text) {
  std::string path;
  size_t at = 0;
  while (at < text.size()) {
    if (text[at] == ' ') {
      ++at;
      continue;
    }
    size_t close = text.find(')', at);
    if (text[at] != '(' || close == std::string_view::npos || close == at + 1) {
      return absl::InvalidArgumentError("ID: element string: expected \"(AI)\" at position " +
                                        std::to_string(at + 1));
    }
    std::string ai(text.substr(at + 1, close - at - 1));
    size_t next = text.find('(', close);
    std::string value(Trim(text.substr(close + 1, next - close - 1)));
    if (value.empty()) return absl::InvalidArgumentError("AI " + ai + ": value is empty");
    path += "/" + ai + "/" + PercentEncode(value);
    at = next == std::string_view::npos ? text.size() : next;
  }
  return path;
}

// The identifier from the command line as a validated Digital Link of a lot or an item.
absl::StatusOr<gs1::DigitalLink> ParseLabelId(std::string_view id) {
  id = Trim(id);
  if (id.empty()) return absl::InvalidArgumentError("ID: empty");
  std::string path;
  if (id.front() == '(') {
    ORIGO_ASSIGN_OR_RETURN(path, ElementStringToPath(id));
  } else if (id.starts_with("http://") || id.starts_with("https://") || id.front() == '/') {
    path = std::string(id);
  } else {
    path = "/" + std::string(id);
  }
  ORIGO_ASSIGN_OR_RETURN(gs1::DigitalLink link, gs1::ParseDigitalLink(path));
  if (link.primary_ai != gs1::kAiGtin || !(link.IsLot() || link.IsItem())) {
    return absl::InvalidArgumentError(
        "ID: a label names a lot (01 + 10) or a serialised item (01 + 21); got AI " +
        link.primary_ai + (link.primary_ai == gs1::kAiGtin ? " without 10 or 21" : ""));
  }
  return link;
}

// "https://host[/prefix]" without a trailing '/'.
absl::StatusOr<std::string> ParseHost(std::string_view host) {
  std::string h(Trim(host));
  while (!h.empty() && h.back() == '/') h.pop_back();
  size_t scheme = h.find("://");
  bool ok = (h.starts_with("https://") || h.starts_with("http://")) && h.size() > scheme + 3 &&
            h.find_first_of("?#\"<>\\ ") == std::string::npos;
  for (char c : h) ok = ok && c > 0x20 && c < 0x7f;
  if (!ok) {
    return absl::InvalidArgumentError("--host: expected http(s)://host, e.g. " +
                                      std::string(kDefaultHost) + "; got \"" + h + "\"");
  }
  return h;
}

// HRI lines: "(01) 09506000134352", then cpv, lot and serial as present.
std::vector<std::string> HriLines(const gs1::DigitalLink& link) {
  std::vector<std::string> lines = {"(01) " + link.primary_value};
  if (link.cpv) lines.push_back("(22) " + *link.cpv);
  if (link.lot) lines.push_back("(10) " + *link.lot);
  if (link.serial) lines.push_back("(21) " + *link.serial);
  return lines;
}

// The QR symbol's modules, row by row; true = dark.
struct Symbol {
  int width = 0;
  std::vector<bool> dark;
  bool at(int x, int y) const { return dark[static_cast<size_t>(y) * width + x]; }
};

absl::StatusOr<Symbol> Encode(const std::string& uri) {
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString8bit(uri.c_str(), 0, QR_ECLEVEL_M), &QRcode_free);
  if (code == nullptr) {
    return absl::InvalidArgumentError("ID: the URI (" + std::to_string(uri.size()) +
                                      " bytes) does not fit in a QR code at level M");
  }
  Symbol s;
  s.width = code->width;
  s.dark.resize(static_cast<size_t>(s.width) * s.width);
  for (size_t i = 0; i < s.dark.size(); ++i) s.dark[i] = (code->data[i] & 1) != 0;
  return s;
}

// Text and attribute values of the SVG: the HTML escapes are valid XML (&#39; included).
std::string XmlEscape(std::string_view text) { return HtmlEscape(text); }

// SVG in module units (0.5 mm each): one path of dark runs, the HRI in monospace under it.
std::string RenderSvg(const Symbol& s, const std::string& uri,
                      const std::vector<std::string>& lines) {
  const int side = s.width + 2 * kQuietZone;
  const double line_height = 2.4;  // modules
  const double height = side + line_height * static_cast<double>(lines.size()) + 1.0;
  std::string path;
  for (int y = 0; y < s.width; ++y) {
    for (int x = 0; x < s.width;) {
      if (!s.at(x, y)) {
        ++x;
        continue;
      }
      int run = 1;
      while (x + run < s.width && s.at(x + run, y)) ++run;
      path += "M" + std::to_string(x + kQuietZone) + " " + std::to_string(y + kQuietZone) + "h" +
              std::to_string(run) + "v1h-" + std::to_string(run) + "z";
      x += run;
    }
  }
  auto num = [](double v) {
    std::string t = std::to_string(v);
    t.erase(t.find_last_not_of('0') + 1);
    if (t.back() == '.') t.pop_back();
    return t;
  };
  std::string svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(side * 0.5) + "mm\" height=\"" +
         num(height * 0.5) + "mm\" viewBox=\"0 0 " + std::to_string(side) + " " + num(height) +
         "\" shape-rendering=\"crispEdges\">\n";
  svg += "<title>" + XmlEscape(uri) + "</title>\n";
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n";
  svg += "<path fill=\"#000\" d=\"" + path + "\"/>\n";
  svg +=
      "<g font-family=\"OCR-B, 'DejaVu Sans Mono', monospace\" font-size=\"2\" "
      "text-anchor=\"middle\" fill=\"#000\">\n";
  for (size_t i = 0; i < lines.size(); ++i) {
    svg += "<text x=\"" + num(side / 2.0) + "\" y=\"" +
           num(side + line_height * static_cast<double>(i + 1) - 0.4) + "\">" +
           XmlEscape(lines[i]) + "</text>\n";
  }
  svg += "</g>\n</svg>\n";
  return svg;
}

// 5x7 glyphs for ASCII 0x20..0x7E; row r's bit 4 is the leftmost pixel.
constexpr std::array<std::array<uint8_t, 7>, 95> kFont = {{
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, {0x04, 0x04, 0x04, 0x04, 0x04, 0x00, 0x04},
    {0x0A, 0x0A, 0x00, 0x00, 0x00, 0x00, 0x00}, {0x0A, 0x0A, 0x1F, 0x0A, 0x1F, 0x0A, 0x0A},
    {0x04, 0x0F, 0x14, 0x0E, 0x05, 0x1E, 0x04}, {0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03},
    {0x0C, 0x12, 0x14, 0x08, 0x15, 0x12, 0x0D}, {0x04, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00},
    {0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02}, {0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08},
    {0x00, 0x04, 0x15, 0x0E, 0x15, 0x04, 0x00}, {0x00, 0x04, 0x04, 0x1F, 0x04, 0x04, 0x00},
    {0x00, 0x00, 0x00, 0x00, 0x0C, 0x04, 0x08}, {0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00},
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C}, {0x01, 0x01, 0x02, 0x04, 0x08, 0x10, 0x10},
    {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}, {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E},
    {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}, {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E},
    {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}, {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E},
    {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}, {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08},
    {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}, {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C},
    {0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00}, {0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x04, 0x08},
    {0x02, 0x04, 0x08, 0x10, 0x08, 0x04, 0x02}, {0x00, 0x00, 0x1F, 0x00, 0x1F, 0x00, 0x00},
    {0x08, 0x04, 0x02, 0x01, 0x02, 0x04, 0x08}, {0x0E, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04},
    {0x0E, 0x11, 0x01, 0x0D, 0x15, 0x15, 0x0E}, {0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11},
    {0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E}, {0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E},
    {0x1E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1E}, {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F},
    {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10}, {0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F},
    {0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11}, {0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E},
    {0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C}, {0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11},
    {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F}, {0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11},
    {0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11}, {0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E},
    {0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10}, {0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D},
    {0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11}, {0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E},
    {0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}, {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E},
    {0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04}, {0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A},
    {0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11}, {0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04},
    {0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F}, {0x0E, 0x08, 0x08, 0x08, 0x08, 0x08, 0x0E},
    {0x10, 0x10, 0x08, 0x04, 0x02, 0x01, 0x01}, {0x0E, 0x02, 0x02, 0x02, 0x02, 0x02, 0x0E},
    {0x04, 0x0A, 0x11, 0x00, 0x00, 0x00, 0x00}, {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1F},
    {0x08, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00}, {0x00, 0x00, 0x0E, 0x01, 0x0F, 0x11, 0x0F},
    {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x1E}, {0x00, 0x00, 0x0E, 0x10, 0x10, 0x11, 0x0E},
    {0x01, 0x01, 0x0D, 0x13, 0x11, 0x11, 0x0F}, {0x00, 0x00, 0x0E, 0x11, 0x1F, 0x10, 0x0E},
    {0x06, 0x09, 0x08, 0x1C, 0x08, 0x08, 0x08}, {0x00, 0x0F, 0x11, 0x11, 0x0F, 0x01, 0x0E},
    {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x11}, {0x04, 0x00, 0x0C, 0x04, 0x04, 0x04, 0x0E},
    {0x02, 0x00, 0x06, 0x02, 0x02, 0x12, 0x0C}, {0x10, 0x10, 0x12, 0x14, 0x18, 0x14, 0x12},
    {0x0C, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E}, {0x00, 0x00, 0x1A, 0x15, 0x15, 0x11, 0x11},
    {0x00, 0x00, 0x16, 0x19, 0x11, 0x11, 0x11}, {0x00, 0x00, 0x0E, 0x11, 0x11, 0x11, 0x0E},
    {0x00, 0x00, 0x1E, 0x11, 0x1E, 0x10, 0x10}, {0x00, 0x00, 0x0D, 0x13, 0x0F, 0x01, 0x01},
    {0x00, 0x00, 0x16, 0x19, 0x10, 0x10, 0x10}, {0x00, 0x00, 0x0E, 0x10, 0x0E, 0x01, 0x1E},
    {0x08, 0x08, 0x1C, 0x08, 0x08, 0x09, 0x06}, {0x00, 0x00, 0x11, 0x11, 0x11, 0x13, 0x0D},
    {0x00, 0x00, 0x11, 0x11, 0x11, 0x0A, 0x04}, {0x00, 0x00, 0x11, 0x11, 0x15, 0x15, 0x0A},
    {0x00, 0x00, 0x11, 0x0A, 0x04, 0x0A, 0x11}, {0x00, 0x00, 0x11, 0x11, 0x0F, 0x01, 0x0E},
    {0x00, 0x00, 0x1F, 0x02, 0x04, 0x08, 0x1F}, {0x02, 0x04, 0x04, 0x08, 0x04, 0x04, 0x02},
    {0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}, {0x08, 0x04, 0x04, 0x02, 0x04, 0x04, 0x08},
    {0x00, 0x00, 0x08, 0x15, 0x02, 0x00, 0x00},
}};

// An 8-bit grey image, 255 = white.
struct Bitmap {
  int width, height;
  std::vector<uint8_t> pixels;
  Bitmap(int w, int h) : width(w), height(h), pixels(static_cast<size_t>(w) * h, 255) {}
  void Fill(int x, int y, int w, int h) {
    for (int j = y; j < y + h; ++j) {
      std::fill_n(pixels.begin() + static_cast<size_t>(j) * width + x, w, uint8_t{0});
    }
  }
};

constexpr int kModulePx = 8;  // pixels per module: 203 dpi printers get ~1 mm modules
constexpr int kFontScale = 3;
constexpr int kGlyphAdvance = 6 * kFontScale;
constexpr int kLineHeight = 10 * kFontScale;

Bitmap RenderBitmap(const Symbol& s, const std::vector<std::string>& lines) {
  const int side = (s.width + 2 * kQuietZone) * kModulePx;
  size_t longest = 0;
  for (const std::string& line : lines) longest = std::max(longest, line.size());
  const int text_width = static_cast<int>(longest) * kGlyphAdvance + 2 * kModulePx;
  Bitmap image(std::max(side, text_width),
               side + static_cast<int>(lines.size()) * kLineHeight + 2 * kModulePx);
  const int left = (image.width - side) / 2 + kQuietZone * kModulePx;
  for (int y = 0; y < s.width; ++y) {
    for (int x = 0; x < s.width; ++x) {
      if (s.at(x, y)) {
        image.Fill(left + x * kModulePx, kQuietZone * kModulePx + y * kModulePx, kModulePx,
                   kModulePx);
      }
    }
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    int x0 = (image.width - static_cast<int>(line.size()) * kGlyphAdvance) / 2;
    int y0 = side + static_cast<int>(i) * kLineHeight + kFontScale;
    for (size_t k = 0; k < line.size(); ++k) {
      unsigned char c = static_cast<unsigned char>(line[k]);
      const auto& glyph = kFont[(c >= 0x20 && c <= 0x7E) ? c - 0x20 : '?' - 0x20];
      for (int row = 0; row < 7; ++row) {
        for (int col = 0; col < 5; ++col) {
          if (glyph[row] & (0x10 >> col)) {
            image.Fill(x0 + static_cast<int>(k) * kGlyphAdvance + col * kFontScale,
                       y0 + row * kFontScale, kFontScale, kFontScale);
          }
        }
      }
    }
  }
  return image;
}

void AppendPng(png_structp png, png_bytep data, png_size_t size) {
  static_cast<std::string*>(png_get_io_ptr(png))->append(reinterpret_cast<const char*>(data), size);
}

// The libpng calls that may longjmp back here on error (false then). Kept apart so that no local
// with a destructor lives between setjmp and the jump.
bool WritePng(png_structp png, png_infop info, png_bytepp rows, png_uint_32 width,
              png_uint_32 height, std::string* out) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_write_fn(png, out, &AppendPng, nullptr);
  png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  // 203 dpi, the common thermal label printer resolution, so the label prints at its size.
  png_set_pHYs(png, info, 7992, 7992, PNG_RESOLUTION_METER);
  png_set_rows(png, info, rows);
  png_write_png(png, info, PNG_TRANSFORM_IDENTITY, nullptr);
  return true;
}

// PNG bytes of `image`, 8-bit greyscale.
absl::StatusOr<std::string> EncodePng(const Bitmap& image) {
  std::vector<png_bytep> rows(static_cast<size_t>(image.height));
  for (int y = 0; y < image.height; ++y) {
    rows[y] = const_cast<png_bytep>(image.pixels.data() + static_cast<size_t>(y) * image.width);
  }
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (png == nullptr) return absl::InternalError("libpng: cannot create a write struct");
  png_infop info = png_create_info_struct(png);
  std::string out;
  bool ok = info != nullptr && WritePng(png, info, rows.data(), image.width, image.height, &out);
  png_destroy_write_struct(&png, &info);
  if (!ok) return absl::InternalError("libpng: encoding the label failed");
  return out;
}

struct LabelArgs {
  std::string id;
  std::string out;
  std::string host = kDefaultHost;
  bool force = false;
};

absl::StatusOr<std::string> WriteLabel(const LabelArgs& args) {
  std::string lower = args.out;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  bool svg = lower.ends_with(".svg");
  if (!svg && !lower.ends_with(".png")) {
    return absl::InvalidArgumentError("--out: the file name must end in .svg or .png; got \"" +
                                      args.out + "\"");
  }
  ORIGO_ASSIGN_OR_RETURN(gs1::DigitalLink link, ParseLabelId(args.id));
  ORIGO_ASSIGN_OR_RETURN(std::string host, ParseHost(args.host));
  std::string uri = host + link.CanonicalPath();
  ORIGO_ASSIGN_OR_RETURN(Symbol symbol, Encode(uri));
  std::string bytes;
  if (svg) {
    bytes = RenderSvg(symbol, uri, HriLines(link));
  } else {
    ORIGO_ASSIGN_OR_RETURN(bytes, EncodePng(RenderBitmap(symbol, HriLines(link))));
  }
  ORIGO_RETURN_IF_ERROR(WriteNewFile(args.out, bytes, 0644, args.force));
  return uri;
}

}  // namespace

void AddLabelCommand(CLI::App& app, Globals& globals) {
  auto args = std::make_shared<LabelArgs>();
  CLI::App* cmd = app.add_subcommand(
      "label", "Draw the GS1 Digital Link QR code of a lot or item, with its text, as SVG or PNG");
  cmd->add_option("ID", args->id,
                  "lot or item: 01/GTIN/10/LOT, 01/GTIN/21/SERIAL, a Digital Link URI, or an "
                  "element string such as (01)09506000134352(10)ABC")
      ->required();
  cmd->add_option("--out", args->out, "output file, FILE.svg or FILE.png")->required();
  cmd->add_option("--host", args->host, "resolver host the code points at")->capture_default_str();
  cmd->add_flag("--force", args->force, "overwrite --out if it exists");
  cmd->callback([&globals, args] {
    auto uri = WriteLabel(*args);
    if (!uri.ok()) {
      globals.exit_code = ReportError(globals, uri.status(), "label " + args->id);
      return;
    }
    if (globals.json) {
      std::cout << JsonObject().Bool("ok", true).Str("uri", *uri).Str("file", args->out).Build()
                << "\n";
    } else {
      std::cout << "wrote " << args->out << ": " << *uri << "\n";
    }
    globals.exit_code = 0;
  });
}

}  // namespace origo::cli
