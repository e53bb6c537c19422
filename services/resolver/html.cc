#include "services/resolver/html.h"

#include <cstdio>
#include <map>

#include "core/base/html_escape.h"

namespace origo::resolver {
namespace {

const char* L(Lang lang, const char* zh, const char* en) { return lang == Lang::kZh ? zh : en; }

std::string E(std::string_view s) { return HtmlEscape(s); }

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

// Mobile first: one column, large type, warnings in a red box at the top. Under 3 KB.
constexpr char kCss[] =
    "*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,'PingFang SC',"
    "'Noto Sans CJK SC','Microsoft YaHei',sans-serif;color:#1d2327;background:#f4f1ec}"
    "header{display:flex;justify-content:space-between;align-items:center;padding:.6em 1em;"
    "background:#5b1a2a;color:#fff}header a{color:#fff}main{max-width:40em;margin:0 auto;"
    "padding:1em}h1{font-size:1.4em;margin:.2em 0}h2{font-size:1.1em;margin:1.4em 0 .4em;"
    "border-bottom:1px solid #d8d2c8}section,.card{background:#fff;border-radius:8px;"
    "padding:.8em 1em;margin:.8em 0}.muted{color:#5f6368;font-size:.9em}"
    ".warn{background:#b3261e;color:#fff;border-radius:8px;padding:.8em 1em;margin:.8em 0;"
    "font-weight:600}.warn p{margin:.3em 0}.grade{display:inline-block;min-width:3em;"
    "text-align:center;font-weight:700;font-size:1.3em;padding:.1em .4em;border-radius:6px;"
    "background:#1e6b3a;color:#fff}.grade.g-C,.grade.g-B{background:#9a6700}.grade.g-D{"
    "background:#b3261e}ol.tl{list-style:none;padding:0;margin:0}ol.tl li{border-left:3px "
    "solid #5b1a2a;padding:.2em 0 .6em .8em;margin-left:.3em}ol.tl time{display:block;"
    "font-size:.85em;color:#5f6368}table{width:100%;border-collapse:collapse;font-size:.92em}"
    "td,th{text-align:left;padding:.3em;border-bottom:1px solid #eee}.ok{color:#1e6b3a;"
    "font-weight:600}.bad{color:#b3261e;font-weight:600}#verify-status{font-weight:600;"
    "padding:.4em .8em;border-radius:6px;background:#e8eaed}#verify-status[data-state=verified]"
    "{background:#d7f0dd;color:#1e6b3a}#verify-status[data-state=failed]{background:#fbe0de;"
    "color:#b3261e}dl{display:grid;grid-template-columns:auto 1fr;gap:.2em .8em;margin:0}"
    "dt{color:#5f6368}dd{margin:0}fieldset{border:0;padding:0}textarea{width:100%;"
    "min-height:4em;font:inherit}button{font:inherit;padding:.4em 1.2em;background:#5b1a2a;"
    "color:#fff;border:0;border-radius:6px}footer{font-size:.85em;color:#5f6368;padding:1em;"
    "text-align:center}code{word-break:break-all}";

std::string Head(Lang lang, const std::string& title, const std::string& extra_html_attrs,
                 const std::string& extra_head) {
  std::string out = "<!doctype html>\n<html lang=\"";
  out += lang == Lang::kZh ? "zh-CN" : "en";
  out += "\"" + extra_html_attrs + "><head><meta charset=\"utf-8\">";
  out += "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">";
  out += "<title>" + E(title) + "</title><style>";
  out += kCss;
  out += "</style>" + extra_head + "</head><body>";
  return out;
}

// The header with the language switch: links both ways.
std::string Bar(Lang lang, const std::string& path, const std::string& query_prefix = "?") {
  std::string out = "<header><strong>";
  out += L(lang, "产品溯源", "Product origin");
  out += "</strong><nav>";
  if (lang == Lang::kZh) {
    out +=
        "<a href=\"" + E(path) + query_prefix + "lang=en\" hreflang=\"en\" lang=\"en\">English</a>";
  } else {
    out += "<a href=\"" + E(path) + query_prefix +
           "lang=zh\" hreflang=\"zh-CN\" lang=\"zh-CN\">中文</a>";
  }
  out += "</nav></header><main>";
  return out;
}

std::string Foot(Lang lang) {
  std::string out = "</main><footer>";
  out += L(lang, "数据来自 Origo 防篡改溯源日志。",
           "Data from the Origo tamper-evident traceability log.");
  out += " <a href=\"/blacklist";
  out += lang == Lang::kEn ? "?lang=en" : "";
  out += "\">";
  out += L(lang, "质量失信黑名单", "Quality blacklist");
  out += "</a></footer></body></html>\n";
  return out;
}

std::string StepWords(Lang lang, const TimelineEntry& t) {
  static const std::map<std::string, std::pair<const char*, const char*>> kWords = {
      {"commissioning", {"采收 / 投产", "Harvested or produced"}},
      {"crushing", {"破碎压榨", "Crushed"}},
      {"fermenting", {"发酵", "Fermented"}},
      {"barrel_ageing", {"橡木桶陈酿", "Aged in oak barrels"}},
      {"blending", {"调配", "Blended"}},
      {"bottling", {"装瓶", "Bottled"}},
      {"packing", {"装箱", "Packed"}},
      {"shipping", {"发货", "Shipped"}},
      {"receiving", {"收货", "Received"}},
      {"storing", {"入库储存", "Stored"}},
      {"inspecting", {"检验检疫", "Inspected"}},
      {"drying", {"晾晒干燥", "Dried"}},
      {"grading", {"分级筛选", "Graded"}},
      {"halal_slaughter", {"清真屠宰", "Halal slaughter"}},
      {"cutting", {"分割", "Cut"}},
      {"transporting", {"运输", "Transported"}},
      {"retail_selling", {"零售", "Sold"}},
  };
  std::string words;
  auto it = kWords.find(t.biz_step);
  if (t.biz_step == "commissioning" && t.event_type == "TransformationEvent") {
    words = L(lang, "加工包装", "Processed and packed");
  } else if (it != kWords.end()) {
    words = L(lang, it->second.first, it->second.second);
  } else {
    words = E(t.biz_step);
  }
  if (t.biz_step == "inspecting" && !t.disposition.empty()) {
    bool ok = t.disposition == "conformant";
    words += std::string(" <span class=\"") + (ok ? "ok\">" : "bad\">") +
             (ok ? L(lang, "合格", "passed") : L(lang, "不合格", "failed")) + "</span>";
  }
  return words;
}

std::string Uom(Lang lang, const std::string& uom) {
  if (uom == "KGM") return L(lang, "千克", "kg");
  if (uom == "LTR") return L(lang, "升", "L");
  return E(uom);
}

std::string CertType(Lang lang, const std::string& type) {
  static const std::map<std::string, std::pair<const char*, const char*>> kTypes = {
      {"halal", {"清真证书", "Halal certificate"}},
      {"veterinary", {"动物检疫合格证明", "Veterinary certificate"}},
      {"animal_quarantine", {"动物检疫证明", "Animal quarantine certificate"}},
      {"phytosanitary", {"植物检疫证书", "Phytosanitary certificate"}},
      {"origin", {"原产地证书", "Certificate of origin"}},
      {"organic", {"有机产品认证", "Organic certificate"}},
      {"gi", {"地理标志", "Geographic indication"}},
  };
  auto it = kTypes.find(type);
  return it != kTypes.end() ? L(lang, it->second.first, it->second.second) : E(type);
}

std::string ValidityWords(Lang lang, const CertificateView& c) {
  if (c.validity == "valid") {
    return std::string("<span class=\"ok\">") + L(lang, "有效", "Valid") + "</span> " +
           E(c.valid_from) + " – " + E(c.valid_to);
  }
  if (c.validity == "expired") {
    return std::string("<span class=\"bad\">") + L(lang, "已过期", "Expired") + "</span> " +
           E(c.valid_to);
  }
  if (c.validity == "not_yet_valid") {
    return std::string("<span class=\"bad\">") + L(lang, "尚未生效", "Not yet valid") + "</span> " +
           E(c.valid_from);
  }
  if (c.validity == "claim") {
    return L(lang, "产地登记在保护区内", "Registered production base lies in the zone");
  }
  return L(lang, "未在登记系统中", "Not in the registry");
}

std::string P(const Warning& w, const char* key) {
  auto it = w.params.find(key);
  return it == w.params.end() ? "" : E(it->second);
}

std::string WarningText(Lang lang, const Warning& w) {
  if (w.kind == "blacklist") {
    std::string s =
        L(lang, "⚠ 生产企业已列入质量失信黑名单：", "⚠ The producer is on the quality blacklist: ");
    s += P(w, "enterprise");
    if (!P(w, "reason").empty()) s += " — " + P(w, "reason");
    if (!P(w, "until").empty())
      s += std::string(L(lang, "（公示至 ", " (published until ")) + P(w, "until") +
           L(lang, "）", ")");
    return s;
  }
  if (w.kind == "recall") {
    return std::string(L(lang, "⚠ 召回：该产品或其原料批次已被召回，请勿食用。",
                         "⚠ Recall: this product or a lot it was made from has been recalled. "
                         "Do not consume it.")) +
           " <code>" + P(w, "lot") + "</code> " + P(w, "reason");
  }
  if (w.kind == "hold") {
    return std::string(L(lang, "⚠ 该批次已被暂扣待查。", "⚠ This lot is on hold pending checks.")) +
           " <code>" + P(w, "lot") + "</code>";
  }
  if (w.kind == "failed_inspection") {
    return std::string(L(lang, "⚠ 检验不合格：", "⚠ Failed inspection: ")) + P(w, "lab") + " " +
           P(w, "date") + " — " + P(w, "items");
  }
  if (w.kind == "cold_chain") {
    return std::string(L(lang, "⚠ 冷链温度超标：", "⚠ Cold-chain breach: ")) + P(w, "value") +
           " °C &gt; " + P(w, "limit") + " °C, " + P(w, "time") + " " + P(w, "place");
  }
  if (w.kind == "scans") {
    return std::string(L(lang, "⚠ 此码已被扫描 ", "⚠ This code has been scanned ")) +
           P(w, "count") +
           L(lang, " 次，远多于正品通常的次数，可能是复制的码。请向商家核实。",
             " times, far more than a genuine item would be: the code may have been copied. "
             "Check with the seller.");
  }
  return E(w.kind);
}

std::string Sector(Lang lang, const std::string& sector) {
  if (sector == "wine") return L(lang, "葡萄酒", "Wine");
  if (sector == "goji") return L(lang, "枸杞", "Goji berries");
  if (sector == "halal") return L(lang, "清真食品", "Halal food");
  return L(lang, "产品", "Product");
}

std::string AttributeName(Lang lang, const std::string& key) {
  static const std::map<std::string, std::pair<const char*, const char*>> kNames = {
      {"vintage", {"年份", "Vintage"}},
      {"variety", {"品种", "Variety"}},
      {"harvestDate", {"采收日期", "Harvest date"}},
      {"alcohol", {"酒精度", "Alcohol"}},
      {"so2Total", {"总二氧化硫", "Total SO₂"}},
      {"netContent", {"净含量", "Net content"}},
      {"bottlingDate", {"装瓶日期", "Bottling date"}},
      {"geographicIndication", {"地理标志", "Geographic indication"}},
      {"originRegion", {"产区", "Region"}},
      {"breed", {"品种", "Breed"}},
      {"slaughterDate", {"屠宰日期", "Slaughter date"}},
      {"grade", {"等级", "Grade"}},
      {"dryingMethod", {"干燥方式", "Drying method"}},
      {"brix", {"糖度 (°Bx)", "Sugar (°Bx)"}},
  };
  auto it = kNames.find(key);
  return it != kNames.end() ? L(lang, it->second.first, it->second.second) : E(key);
}

std::string ProductTitle(Lang lang, const ProductPage& page) {
  std::string title = Sector(lang, page.producer.sector);
  std::string detail;
  for (const char* key : {"vintage", "variety", "grade", "breed"}) {
    auto it = page.attributes.find(key);
    if (it != page.attributes.end()) detail += (detail.empty() ? "" : " ") + it->second;
  }
  if (!detail.empty()) title += " · " + detail;
  return title;
}

std::string GradeBadge(const std::string& grade) {
  if (grade.empty()) return "<span class=\"grade\">–</span>";
  return "<span class=\"grade g-" + E(grade) + "\">" + E(grade) + "</span>";
}

}  // namespace

std::string HtmlEscape(std::string_view text) { return origo::HtmlEscape(text); }

std::string RenderProductPage(const ProductPage& page, const ProductPageContext& ctx) {
  const Lang lang = ctx.lang;
  const std::string title = ProductTitle(lang, page);
  std::string log_key = ctx.log_key_json;
  // The JSON is already free of '<' (JsonString escapes it), so it cannot close the element.
  std::string head_extra = "<script type=\"application/json\" id=\"origo-log\">" + log_key +
                           "</script><script src=\"/static/verify.js\" defer></script>";
  std::string out =
      Head(lang, title + " — Origo", " data-proofs=\"" + E(ctx.proofs_path) + "\"", head_extra);
  out += Bar(lang, ctx.path);

  if (!page.warnings.empty()) {
    out += "<div class=\"warn\" role=\"alert\" id=\"warnings\">";
    for (const Warning& w : page.warnings) {
      out += "<p data-warning=\"" + E(w.kind) + "\">" + WarningText(lang, w) + "</p>";
    }
    out += "</div>";
  }

  out += "<section><h1>" + E(title) + "</h1><p class=\"muted\">GTIN " + E(page.gtin);
  if (!page.lot.empty()) out += std::string(L(lang, " · 批次 ", " · Lot ")) + E(page.lot);
  if (!page.serial.empty())
    out += std::string(L(lang, " · 序列号 ", " · Serial ")) + E(page.serial);
  out += "</p><p id=\"verify-status\" data-state=\"pending\">";
  out += L(lang, "正在验证…", "Verifying…");
  out += "</p><noscript><p class=\"muted\">";
  out += L(lang, "开启 JavaScript 后，本页会用日志公钥在您的手机上独立验证以下记录。",
           "With JavaScript on, this page checks the records below on your phone against the "
           "log's public key.");
  out += "</p></noscript>";
  if (page.scans.has_value() && page.scans->count > 0) {
    out += "<p id=\"scans\" data-count=\"" + std::to_string(page.scans->count) + "\">";
    out += L(lang, "首次扫描于 ", "First scanned on ");
    out += E(FormatDateTime(page.scans->first_unix_ms));
    out += L(lang, "，共 ", ", ");
    out += std::to_string(page.scans->count);
    out += L(lang, " 次扫描", page.scans->count == 1 ? " scan" : " scans");
    out += "</p>";
  }
  out += "</section>";

  // Producer and credit grade.
  const Producer& p = page.producer;
  out += "<section id=\"producer\"><h2>";
  out += L(lang, "生产企业", "Producer");
  out += "</h2><p><a href=\"/enterprise/" + E(p.usci) + (lang == Lang::kEn ? "?lang=en" : "") +
         "\">" + E(p.name) + "</a></p><p>";
  out += L(lang, "质量信用等级 ", "Quality-credit grade ");
  out += GradeBadge(p.grade);
  if (!p.supervision_class.empty()) {
    out += std::string(L(lang, " · 监管类别 ", " · Supervision class ")) + E(p.supervision_class);
  }
  out += "</p><p class=\"muted\">";
  out += L(lang, "统一社会信用代码 ", "USCI ");
  out += E(p.usci);
  if (!p.rating_as_of.empty())
    out += std::string(L(lang, " · 评级日期 ", " · rated ")) + E(p.rating_as_of);
  out += "</p></section>";

  // Origin.
  const Origin& o = page.origin;
  out += "<section id=\"origin\"><h2>";
  out += L(lang, "产地", "Origin");
  out += "</h2><dl>";
  auto row = [&](const char* zh, const char* en, const std::string& value) {
    if (value.empty()) return;
    out += std::string("<dt>") + L(lang, zh, en) + "</dt><dd>" + E(value) + "</dd>";
  };
  row("产区", "Region", o.region);
  row("生产基地", "Production base", o.base_name.empty() ? o.place : o.base_name);
  row("种植 / 养殖者", "Grown or raised by", o.enterprise_name);
  row("采收日期", "Harvest", o.harvest_date);
  row("年份", "Vintage", o.vintage);
  row("品种", "Variety", o.variety);
  std::string zones;
  for (const auto& z : o.gi_zones) zones += (zones.empty() ? "" : "、") + z;
  row("地理标志", "Geographic indication", zones);
  out += "</dl></section>";

  // Product facts (ILMD).
  static const char* const kShown[] = {"alcohol",      "so2Total",      "netContent",
                                       "bottlingDate", "slaughterDate", "dryingMethod",
                                       "breed"};
  std::string facts;
  for (const char* key : kShown) {
    auto it = page.attributes.find(key);
    if (it == page.attributes.end()) continue;
    facts += "<dt>" + AttributeName(lang, key) + "</dt><dd>" + E(it->second) + "</dd>";
  }
  if (!facts.empty()) {
    out += "<section id=\"facts\"><h2>";
    out += L(lang, "产品信息", "Product facts");
    out += "</h2><dl>" + facts + "</dl></section>";
  }

  // Timeline.
  out += "<section id=\"timeline\"><h2>";
  out += L(lang, "从产地到您手中", "From origin to you");
  out += "</h2><ol class=\"tl\">";
  for (const TimelineEntry& t : page.timeline) {
    out += "<li data-event-id=\"" + E(t.event_id) + "\"><time>" +
           E(FormatDateTime(t.time_unix_ms)) + "</time>" + StepWords(lang, t);
    if (t.quantity > 0) out += " " + Num(t.quantity) + " " + Uom(lang, t.uom);
    out += "<br><span class=\"muted\">" + E(t.enterprise_name);
    if (!t.place.empty()) out += " · " + E(t.place);
    out += "</span></li>";
  }
  out += "</ol>";
  if (page.truncated) {
    out += std::string("<p class=\"muted\">") +
           L(lang, "链条较长，仅显示部分。", "The chain is long; only part of it is shown.") +
           "</p>";
  }
  out += "</section>";

  // Certificates.
  out += "<section id=\"certificates\"><h2>";
  out += L(lang, "证书", "Certificates");
  out += "</h2>";
  if (page.certificates.empty()) {
    out += std::string("<p class=\"muted\">") + L(lang, "无", "None recorded") + "</p>";
  } else {
    out += "<table>";
    for (const CertificateView& c : page.certificates) {
      out += "<tr data-cert-type=\"" + E(c.type) + "\"><td>" + CertType(lang, c.type) +
             "<br><span class=\"muted\">" + E(c.id) + (c.issuer.empty() ? "" : " · ") +
             E(c.issuer) + "</span></td><td>" + ValidityWords(lang, c) + "</td></tr>";
    }
    out += "</table>";
  }
  out += "</section>";

  // Inspections.
  out += "<section id=\"inspections\"><h2>";
  out += L(lang, "检验检测", "Inspections");
  out += "</h2>";
  if (page.inspections.empty()) {
    out += std::string("<p class=\"muted\">") + L(lang, "暂无检验记录", "No inspection recorded") +
           "</p>";
  }
  for (const InspectionView& i : page.inspections) {
    out += "<div class=\"card\"><p><span class=\"" + std::string(i.pass ? "ok" : "bad") + "\">" +
           (i.pass ? L(lang, "合格", "Passed") : L(lang, "不合格", "Failed")) + "</span> " +
           E(i.lab) + " · " + E(i.date) + "</p><p class=\"muted\">" +
           L(lang, "报告编号 ", "Report ") + E(i.report_no) + "</p>";
    if (!i.items.empty()) {
      out += "<table><tr><th>";
      out += L(lang, "项目", "Item");
      out += "</th><th>";
      out += L(lang, "结果", "Result");
      out += "</th><th>";
      out += L(lang, "限量", "Limit");
      out += "</th></tr>";
      for (const auto& item : i.items) {
        out += "<tr><td>" + E(item.name) + "</td><td class=\"" + (item.pass ? "ok" : "bad") +
               "\">" + Num(item.measured) + " " + E(item.unit) + "</td><td>" + Num(item.limit) +
               "</td></tr>";
      }
      out += "</table>";
    }
    out += "</div>";
  }
  out += "</section>";

  // Feedback.
  out += "<section id=\"feedback\"><h2>";
  out += L(lang, "评价", "Your feedback");
  out += "</h2>";
  if (ctx.feedback == "thanks") {
    out += std::string("<p class=\"ok\">") +
           L(lang, "感谢您的评价！", "Thank you for your feedback!") + "</p>";
  } else if (ctx.feedback == "limited") {
    out += std::string("<p class=\"bad\">") +
           L(lang, "提交太频繁，请稍后再试。", "Too many submissions; please try again later.") +
           "</p>";
  }
  out += "<form method=\"post\" action=\"" + E(ctx.path) + "/feedback\"><fieldset><legend>";
  out += L(lang, "您对这件产品满意吗？（1–5 星）", "How satisfied are you? (1–5 stars)");
  out += "</legend>";
  for (int stars = 5; stars >= 1; --stars) {
    std::string n = std::to_string(stars);
    out += "<label><input type=\"radio\" name=\"rating\" value=\"" + n + "\" required> " +
           std::string(static_cast<size_t>(stars), '*') + "</label> ";
  }
  out += "</fieldset><p><textarea name=\"comment\" maxlength=\"500\" placeholder=\"";
  out += L(lang, "留言（可选）", "Comment (optional)");
  out += "\"></textarea></p><input type=\"hidden\" name=\"lang\" value=\"";
  out += lang == Lang::kZh ? "zh" : "en";
  out += "\"><button type=\"submit\">";
  out += L(lang, "提交", "Send");
  out += "</button></form></section>";

  out += "<p class=\"muted\"><a href=\"" + E(ctx.proofs_path) + "\">" +
         L(lang, "验证数据（JSON）", "Proofs (JSON)") + "</a> · <a href=\"" + E(ctx.path) +
         "?linkType=all\">" + L(lang, "链接集", "Linkset") + "</a></p>";
  out += Foot(lang);
  return out;
}

std::string RenderNotFound(Lang lang, const std::string& path, const std::string& gtin,
                           const std::string& lot, const std::string& serial) {
  std::string out = Head(lang, L(lang, "未找到该产品", "Product not found"), "", "");
  out += Bar(lang, path);
  out += "<section><h1>";
  out += L(lang, "没有找到这件产品的溯源记录", "No traceability record for this product");
  out += "</h1><p>";
  out += L(lang, "我们查询了：", "We looked up:");
  out += "</p><dl><dt>GTIN</dt><dd>" + E(gtin) + "</dd>";
  if (!lot.empty())
    out += std::string("<dt>") + L(lang, "批次", "Lot") + "</dt><dd>" + E(lot) + "</dd>";
  if (!serial.empty()) {
    out += std::string("<dt>") + L(lang, "序列号", "Serial") + "</dt><dd>" + E(serial) + "</dd>";
  }
  out += "</dl><p>";
  out += L(lang,
           "该码格式正确（GTIN 校验位无误），但系统中没有它的记录。请：</p><ol>"
           "<li>核对二维码下方印刷的文字与上面是否一致；</li>"
           "<li>如果是刚生产的产品，记录可能尚未上传，请稍后再扫；</li>"
           "<li>仍然找不到时，此码可能是伪造的：请保留包装，联系生产企业或拨打 12315 "
           "市场监管投诉举报电话。</li></ol>",
           "The code is well formed (the GTIN check digit is right), but nothing is recorded "
           "for it. Please:</p><ol><li>compare the text printed under the QR code with the "
           "values above;</li><li>if the product is very new, its records may not be uploaded "
           "yet: scan again later;</li><li>if it is still not found, the code may be fake: keep "
           "the package and contact the producer or the market-supervision hotline "
           "12315.</li></ol>");
  out += "</section>";
  out += Foot(lang);
  return out;
}

std::string RenderBadRequest(Lang lang, const std::string& path, const std::string& problem) {
  std::string out = Head(lang, L(lang, "无法识别的码", "Unreadable code"), "", "");
  out += Bar(lang, path);
  out += "<section><h1>";
  out += L(lang, "这个链接不是有效的产品码", "This link is not a valid product code");
  out += "</h1><p>";
  out += L(lang, "出错的部分：", "The part that is wrong: ");
  out += "<code id=\"problem\">" + E(problem) + "</code></p><p>";
  out += L(lang,
           "产品码的格式是 /01/{14 位 GTIN}/10/{批次} 或 /01/{GTIN}/21/{序列号}。请重新扫描，"
           "或核对包装上印刷的文字。",
           "A product code looks like /01/{14-digit GTIN}/10/{lot} or /01/{GTIN}/21/{serial}. "
           "Scan again, or compare with the text printed on the package.");
  out += "</p></section>";
  out += Foot(lang);
  return out;
}

std::string RenderEnterprise(Lang lang, const std::string& path, const EnterprisePageData& d) {
  std::string out = Head(lang, d.enterprise.name() + " — Origo", "", "");
  out += Bar(lang, path);
  out += "<section><h1>" + E(d.enterprise.name()) + "</h1><p class=\"muted\">";
  out += L(lang, "统一社会信用代码 ", "USCI ");
  out += E(d.enterprise.usci()) + "</p><p>";
  out += L(lang, "质量信用等级 ", "Quality-credit grade ");
  out += GradeBadge(d.grade);
  out += "</p><dl>";
  if (!d.supervision_class.empty()) {
    out += std::string("<dt>") + L(lang, "分级分类监管类别", "Supervision class") + "</dt><dd>" +
           E(d.supervision_class) + "</dd>";
  }
  if (!d.sampling_rate.empty()) {
    out += std::string("<dt>") + L(lang, "抽查比例", "Sampling rate") + "</dt><dd>" +
           E(d.sampling_rate) + "</dd>";
  }
  if (!d.inspection_frequency.empty()) {
    out += std::string("<dt>") + L(lang, "抽查频次", "Inspection frequency") + "</dt><dd>" +
           E(d.inspection_frequency) + "</dd>";
  }
  if (!d.rating_as_of.empty()) {
    out += std::string("<dt>") + L(lang, "评级日期", "Rated on") + "</dt><dd>" + E(d.rating_as_of) +
           "</dd>";
  }
  out += "</dl></section><section id=\"blacklist-status\"><h2>";
  out += L(lang, "质量失信黑名单", "Quality blacklist");
  out += "</h2>";
  if (d.listed.empty()) {
    out += std::string("<p class=\"ok\" data-listed=\"false\">") + L(lang, "未列入", "Not listed") +
           "</p>";
  } else {
    out += "<div class=\"warn\" role=\"alert\" data-listed=\"true\">";
    for (const auto& e : d.listed) {
      out += std::string("<p>") + L(lang, "⚠ 已列入：", "⚠ Listed: ") + E(e.reason()) + " (" +
             E(e.listed_date()) + " – " + E(e.max_until()) + ")</p>";
    }
    out += "</div>";
  }
  out += "</section>";
  out += Foot(lang);
  return out;
}

std::string EnterpriseJson(const EnterprisePageData& d) {
  std::string out = "{\"usci\":" + JsonString(d.enterprise.usci()) +
                    ",\"name\":" + JsonString(d.enterprise.name()) +
                    ",\"grade\":" + JsonString(d.grade) +
                    ",\"supervision_class\":" + JsonString(d.supervision_class) +
                    ",\"sampling_rate\":" + JsonString(d.sampling_rate) +
                    ",\"inspection_frequency\":" + JsonString(d.inspection_frequency) +
                    ",\"rating_as_of\":" + JsonString(d.rating_as_of) +
                    ",\"blacklisted\":" + (d.listed.empty() ? "false" : "true") + ",\"listings\":[";
  for (size_t i = 0; i < d.listed.size(); ++i) {
    const auto& e = d.listed[i];
    out += std::string(i ? "," : "") + "{\"reason\":" + JsonString(e.reason()) +
           ",\"listed_date\":" + JsonString(e.listed_date()) +
           ",\"max_until\":" + JsonString(e.max_until()) + "}";
  }
  out += "]}";
  return out;
}

std::string RenderBlacklist(Lang lang, const std::vector<origo::v1::BlacklistEntry>& entries,
                            const std::vector<std::string>& names) {
  std::string out = Head(lang, L(lang, "质量失信黑名单", "Quality blacklist"), "", "");
  out += Bar(lang, "/blacklist");
  out += "<section><h1>";
  out += L(lang, "质量失信黑名单（公示）", "Quality blacklist (public)");
  out += "</h1>";
  if (entries.empty()) {
    out += std::string("<p id=\"empty\">") +
           L(lang, "目前没有公示中的企业。", "No enterprise is listed now.") + "</p>";
  } else {
    out += "<table><tr><th>";
    out += L(lang, "企业", "Enterprise");
    out += "</th><th>";
    out += L(lang, "原因", "Reason");
    out += "</th><th>";
    out += L(lang, "公示期", "Published");
    out += "</th></tr>";
    for (size_t i = 0; i < entries.size(); ++i) {
      const auto& e = entries[i];
      out += "<tr data-usci=\"" + E(e.usci()) + "\"><td><a href=\"/enterprise/" + E(e.usci()) +
             (lang == Lang::kEn ? "?lang=en" : "") + "\">" +
             E(i < names.size() && !names[i].empty() ? names[i] : e.usci()) + "</a></td><td>" +
             E(e.reason()) + "</td><td>" + E(e.listed_date()) + " – " + E(e.max_until()) +
             "</td></tr>";
    }
    out += "</table>";
  }
  out += "</section>";
  out += Foot(lang);
  return out;
}

std::string BlacklistJson(const std::vector<origo::v1::BlacklistEntry>& entries,
                          const std::vector<std::string>& names) {
  std::string out = "{\"entries\":[";
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    out += std::string(i ? "," : "") + "{\"usci\":" + JsonString(e.usci()) +
           ",\"name\":" + JsonString(i < names.size() ? names[i] : "") +
           ",\"reason\":" + JsonString(e.reason()) +
           ",\"listed_date\":" + JsonString(e.listed_date()) +
           ",\"max_until\":" + JsonString(e.max_until()) + "}";
  }
  out += "]}";
  return out;
}

}  // namespace origo::resolver
