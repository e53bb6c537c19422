#include "bench/loadgen/chains.h"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <stdexcept>

#include "core/gs1/gs1.h"
#include "core/usci/usci.h"

namespace origo::bench {
namespace {

constexpr char kDl[] = "https://id.gs1.org";

std::string WithCheck(const std::string& digits) {
  auto c = gs1::ComputeCheckDigit(digits);
  if (!c.ok()) throw std::runtime_error("check digit of " + digits);
  return digits + *c;
}

std::string Gtin(const char* prefix7, int product) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0%s%05d", prefix7, product);
  return WithCheck(buf);
}

std::string Sscc(const char* prefix7, uint64_t ref) {
  if (ref >= 1000000000ull) throw std::runtime_error("SSCC serial reference out of range");
  char buf[24];
  std::snprintf(buf, sizeof(buf), "0%s%09llu", prefix7, static_cast<unsigned long long>(ref));
  return "/00/" + WithCheck(buf);
}

std::string LotPath(const std::string& gtin, const std::string& lot) {
  return "/01/" + gtin + "/10/" + lot;
}
std::string ItemPath(const std::string& gtin, const std::string& serial) {
  return "/01/" + gtin + "/21/" + serial;
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

// "YYYY-MM-DDTHH:MM:00+08:00" for day `day` (0 = Aug 1) of the season.
std::string Time(int day, int hour, int minute) {
  static const int kMonthDays[] = {31, 30, 31, 30};  // Aug, Sep, Oct, Nov
  int month = 8;
  for (int m = 0; m < 4 && day >= kMonthDays[m]; ++m) {
    day -= kMonthDays[m];
    ++month;
  }
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:00+08:00", Generator::SeasonYear(),
                month, day + 1, hour % 24, minute % 60);
  return buf;
}

std::string Year(int offset) { return std::to_string(Generator::SeasonYear() + offset); }

std::string Head(const std::string& type, const std::string& time) {
  return R"({"type":")" + type + R"(","eventTime":")" + time +
         R"(","eventTimeZoneOffset":"+08:00",)";
}

std::string Q(const std::string& path, double qty, const char* uom) {
  return std::string(R"({"epcClass":")") + kDl + path + R"(","quantity":)" + Num(qty) +
         R"(,"uom":")" + uom + R"("})";
}

std::string Where(const std::string& gln, const std::string& ext) {
  std::string rp = std::string(kDl) + "/414/" + gln + (ext.empty() ? "" : "/254/" + ext);
  return R"("readPoint":{"id":")" + rp + R"("},"bizLocation":{"id":")" + kDl + "/414/" + gln +
         R"("})";
}

std::string Temperature(const std::string& time, double value) {
  return R"({"sensorReport":[{"type":"gs1:Temperature","time":")" + time + R"(","value":)" +
         Num(value) + R"(,"uom":"CEL"}]})";
}

std::string List(const std::vector<std::string>& paths, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to; ++i) out += (i > from ? ",\"" : "\"") + (kDl + paths[i]) + "\"";
  return out;
}

// Shared tail of every chain: aggregate `units` (serialised items) into containers of
// `per_container`, containers into pallets of 40, then one shipment of the pallets.
void PackAndShip(const char* prefix7, uint64_t index, const std::string& gln,
                 const std::vector<std::string>& units, size_t per_container, int day,
                 const std::string& ship_extra, const std::string& cold_store, Chain* c) {
  const int minute = static_cast<int>(index % 60);
  std::vector<std::string> containers;
  uint64_t ref = index * 2000;
  for (size_t i = 0; i < units.size(); i += per_container) {
    containers.push_back(Sscc(prefix7, ref++));
    c->events.push_back(Head("AggregationEvent", Time(day, 11, minute)) +
                        R"("action":"ADD","bizStep":"packing","disposition":"in_progress",)"
                        R"("parentID":")" +
                        kDl + containers.back() + R"(","childEPCs":[)" +
                        List(units, i, std::min(units.size(), i + per_container)) + "]," +
                        Where(gln, "packing") + "}");
  }
  std::vector<std::string> pallets;
  for (size_t i = 0; i < containers.size(); i += 40) {
    pallets.push_back(Sscc(prefix7, ref++));
    c->events.push_back(Head("AggregationEvent", Time(day, 15, minute)) +
                        R"("action":"ADD","bizStep":"packing","disposition":"in_progress",)"
                        R"("parentID":")" +
                        kDl + pallets.back() + R"(","childEPCs":[)" +
                        List(containers, i, std::min(containers.size(), i + 40)) + "]," +
                        Where(gln, "warehouse") + "}");
  }
  if (!cold_store.empty()) {
    c->events.push_back(Head("ObjectEvent", Time(day, 20, minute)) +
                        R"("action":"OBSERVE","bizStep":"storing","disposition":"in_progress",)"
                        R"("epcList":[)" +
                        List(pallets, 0, pallets.size()) + "]," + Where(gln, "cold-store") +
                        R"(,"sensorElementList":[)" + cold_store + "]}");
  }
  c->events.push_back(
      Head("ObjectEvent", Time(day + 1, 8, minute)) +
      R"("action":"OBSERVE","bizStep":"shipping","disposition":"in_transit","epcList":[)" +
      List(pallets, 0, pallets.size()) + R"(],"readPoint":{"id":")" + kDl + "/414/" + gln +
      R"("},"destinationList":[{"type":"location","destination":"urn:origo:place:CN-SH"}],)"
      R"("bizTransactionList":[{"type":"inv","bizTransaction":"urn:origo:doc:inv:)" +
      std::to_string(index) + R"("}])" + ship_extra + "}");
}

size_t Ceil(size_t a, size_t b) { return (a + b - 1) / b; }

}  // namespace

int Generator::SeasonYear() {
  static const int year = [] {
    std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    return utc.tm_year + 1900 - 1;
  }();
  return year;
}

Generator::Generator(size_t enterprises, size_t cases_per_chain)
    : cases_(std::max<size_t>(1, cases_per_chain)) {
  static const char* kNames[] = {"winery", "goji processor", "halal abattoir"};
  for (size_t i = 0; i < std::max<size_t>(1, enterprises); ++i) {
    EnterpriseSpec e;
    e.sector = static_cast<Sector>(i % 3);
    char org[32];
    std::snprintf(org, sizeof(org), "MA%06zu", i % 1000000);
    char org_check = usci::ComputeOrganizationCheckCharacter(org);
    std::string first17 = std::string("91640100") + org + org_check;
    char check = usci::ComputeCheckCharacter(first17);
    if (org_check == '\0' || check == '\0') throw std::runtime_error("USCI for " + first17);
    e.usci = first17 + check;
    e.name = std::string("bench ") + kNames[i % 3] + " " + std::to_string(i);
    char gln[32];
    std::snprintf(gln, sizeof(gln), "6971%08zu", i);
    e.gln = WithCheck(gln);
    if (e.sector == Sector::kHalal) e.halal_certificate = "HALAL-B" + std::to_string(i);
    e.p256 = i % 4 == 3;
    enterprises_.push_back(std::move(e));
  }
}

size_t Generator::CasesFor(uint64_t events, uint64_t lots) {
  double chains = std::max(1.0, static_cast<double>(lots) / (13.0 / 3.0));
  double per_chain = static_cast<double>(events) / chains;
  return static_cast<size_t>(std::max(1.0, std::round((per_chain - 6.4) / 1.275)));
}

size_t Generator::EventsPerChain(uint64_t index) const {
  size_t tail = Ceil(cases_, 4) + cases_ + Ceil(cases_, 40) + 1;
  switch (enterprises_[index % enterprises_.size()].sector) {
    case Sector::kWine:
      return 7 + tail;
    case Sector::kGoji:
      return 3 + tail;
    case Sector::kHalal:
      return 6 + tail;
  }
  return 0;
}

Chain Generator::MakeChain(uint64_t index) const {
  switch (enterprises_[index % enterprises_.size()].sector) {
    case Sector::kWine:
      return Wine(index);
    case Sector::kGoji:
      return Goji(index);
    case Sector::kHalal:
      return Halal(index);
  }
  return {};
}

Chain Generator::Wine(uint64_t index) const {
  Chain c;
  c.enterprise = index % enterprises_.size();
  const EnterpriseSpec& e = enterprises_[c.enterprise];
  const int m = static_cast<int>(index % 60);
  const int d = static_cast<int>(index % 20);  // harvest day in late August / September
  const std::string id = std::to_string(index);
  const std::string grapes_cs = LotPath(Gtin("6971236", 10), "G" + id + "-CS");
  const std::string grapes_ml = LotPath(Gtin("6971236", 10), "G" + id + "-ML");
  const std::string must_cs = LotPath(Gtin("6971236", 11), "M" + id + "-CS");
  const std::string must_ml = LotPath(Gtin("6971236", 11), "M" + id + "-ML");
  const std::string wine_cs = LotPath(Gtin("6971236", 12), "W" + id + "-CS");
  const std::string wine_ml = LotPath(Gtin("6971236", 12), "W" + id + "-ML");
  const std::string blend = LotPath(Gtin("6971236", 13), "BL" + id);
  c.lots = {grapes_cs, grapes_ml, must_cs, must_ml, wine_cs, wine_ml, blend};
  // Volumes scale with the run: 12 bottles of 0.75 l per case.
  const double bottled = 9.0 * static_cast<double>(cases_);
  const double blend_l = bottled * 1.02;
  const double cs_l = blend_l * 0.8, ml_l = blend_l * 0.2;
  const double cs_wine = cs_l * 1.05, ml_wine = ml_l * 1.05;        // some left in the tanks
  const double cs_must = cs_wine * 1.03, ml_must = ml_wine * 1.03;  // fermentation losses
  const double cs_kg = cs_must / 0.7, ml_kg = ml_must / 0.7;        // crushing yield 70%
  auto harvest = [&](const std::string& lot, double kg, const char* block, const char* variety,
                     double brix, int day) {
    c.events.push_back(
        Head("ObjectEvent", Time(day, 7, m)) +
        R"("action":"ADD","bizStep":"commissioning","disposition":"active",)"
        R"("quantityList":[)" +
        Q(lot, kg, "KGM") + "]," + Where(e.gln, block) + R"(,"ilmd":{"harvestDate":")" +
        Time(day, 7, m).substr(0, 10) + R"(","vintage":")" + Year(0) + R"(","variety":")" +
        variety + R"(","brix":)" + Num(brix) + R"(,"originRegion":"Helan, Yinchuan, Ningxia"}})");
  };
  harvest(grapes_cs, cs_kg, "block-A3", "Cabernet Sauvignon", 24.5, 24 + d);
  harvest(grapes_ml, ml_kg, "block-B1", "Merlot", 23.8, 25 + d);
  auto step = [&](const char* biz, const std::string& in, double in_q, const char* in_uom,
                  const std::string& out, double out_q, int day, const std::string& extra) {
    c.events.push_back(Head("TransformationEvent", Time(day, 10, m)) + R"("bizStep":")" + biz +
                       R"(","disposition":"active","inputQuantityList":[)" + Q(in, in_q, in_uom) +
                       R"(],"outputQuantityList":[)" + Q(out, out_q, "LTR") + "]," +
                       Where(e.gln, "cellar") + extra + "}");
  };
  step("urn:origo:bizstep:crushing", grapes_cs, cs_kg, "KGM", must_cs, cs_must, 26 + d, "");
  step("urn:origo:bizstep:crushing", grapes_ml, ml_kg, "KGM", must_ml, ml_must, 26 + d, "");
  const std::string temps = R"(,"sensorElementList":[)" + Temperature(Time(30 + d, 8, m), 26.5) +
                            "," + Temperature(Time(36 + d, 8, m), 24.0) + "]";
  step("urn:origo:bizstep:fermenting", must_cs, cs_must, "LTR", wine_cs, cs_wine, 44 + d, temps);
  step("urn:origo:bizstep:fermenting", must_ml, ml_must, "LTR", wine_ml, ml_wine, 44 + d, temps);
  c.events.push_back(Head("TransformationEvent", Time(66 + d, 10, m)) +
                     R"("bizStep":"urn:origo:bizstep:blending","disposition":"active",)"
                     R"("inputQuantityList":[)" +
                     Q(wine_cs, cs_l, "LTR") + "," + Q(wine_ml, ml_l, "LTR") +
                     R"(],"outputQuantityList":[)" + Q(blend, blend_l, "LTR") + "]," +
                     Where(e.gln, "cellar") + R"(,"ilmd":{"vintage":")" + Year(0) +
                     R"(","variety":"Cabernet Sauvignon",)"
                     R"("alcohol":"13.5% vol","so2Total":"92 mg/L"}})");
  const std::string bottle_gtin = Gtin("6971236", 14);
  for (size_t i = 0; i < cases_ * 12; ++i) {
    c.items.push_back(ItemPath(bottle_gtin, "B" + id + "-" + std::to_string(i)));
  }
  for (size_t i = 0; i < c.items.size(); i += 48) {  // one bottling run per 4 cases
    size_t end = std::min(c.items.size(), i + 48);
    c.events.push_back(Head("TransformationEvent", Time(76 + d, 9, m)) +
                       R"("bizStep":"urn:origo:bizstep:bottling","disposition":"active",)"
                       R"("inputQuantityList":[)" +
                       Q(blend, 0.75 * static_cast<double>(end - i), "LTR") +
                       R"(],"outputEPCList":[)" + List(c.items, i, end) + "]," +
                       Where(e.gln, "bottling-line") +
                       R"(,"ilmd":{"netContent":"0.75 LTR","bottlingDate":")" +
                       Time(76 + d, 9, m).substr(0, 10) + R"("}})");
  }
  PackAndShip("6971236", index, e.gln, c.items, 12, 77 + d,
              R"(,"certificationInfo":["urn:origo:cert:origin:CN-NX-)" + id + R"("])", "", &c);
  return c;
}

Chain Generator::Goji(uint64_t index) const {
  Chain c;
  c.enterprise = index % enterprises_.size();
  const EnterpriseSpec& e = enterprises_[c.enterprise];
  const int m = static_cast<int>(index % 60);
  const int d = static_cast<int>(index % 30);
  const std::string id = std::to_string(index);
  const std::string fresh = LotPath(Gtin("6971234", 10), "F" + id);
  const std::string dried = LotPath(Gtin("6971234", 27), "D" + id);
  const std::string graded = LotPath(Gtin("6971234", 34), "TY" + id);
  c.lots = {fresh, dried, graded};
  const double packed = 50.0 * static_cast<double>(cases_);  // 10 bags of 5 kg per carton
  const double dry_kg = packed * 1.2, fresh_kg = dry_kg * 4.5;
  c.events.push_back(Head("ObjectEvent", Time(d, 7, m)) +
                     R"("action":"ADD","bizStep":"commissioning","disposition":"active",)"
                     R"("quantityList":[)" +
                     Q(fresh, fresh_kg, "KGM") + "]," + Where(e.gln, "plot-07") +
                     R"(,"ilmd":{"harvestDate":")" + Time(d, 7, m).substr(0, 10) +
                     R"(","variety":"Ningqi No.7","originRegion":"Zhongning, Ningxia"}})");
  c.events.push_back(Head("TransformationEvent", Time(d + 3, 18, m)) +
                     R"("bizStep":"urn:origo:bizstep:drying","disposition":"active",)"
                     R"("inputQuantityList":[)" +
                     Q(fresh, fresh_kg, "KGM") + R"(],"outputQuantityList":[)" +
                     Q(dried, dry_kg, "KGM") + "]," + Where(e.gln, "dryer-2") +
                     R"(,"ilmd":{"dryingMethod":"hot air, 55-65 C, 60 h"}})");
  c.events.push_back(Head("TransformationEvent", Time(d + 5, 10, m)) +
                     R"("bizStep":"urn:origo:bizstep:grading","disposition":"active",)"
                     R"("inputQuantityList":[)" +
                     Q(dried, packed, "KGM") + R"(],"outputQuantityList":[)" +
                     Q(graded, packed, "KGM") + "]," + Where(e.gln, "grading") +
                     R"x(,"ilmd":{"grade":"特优 (280 grains / 50 g)"}})x");
  const std::string bag_gtin = Gtin("6971234", 41);
  for (size_t i = 0; i < cases_ * 10; ++i) {
    c.items.push_back(ItemPath(bag_gtin, "N" + id + "-" + std::to_string(i)));
  }
  for (size_t i = 0; i < c.items.size(); i += 40) {  // one packing run per 4 cartons
    size_t end = std::min(c.items.size(), i + 40);
    c.events.push_back(Head("TransformationEvent", Time(d + 6, 9, m)) +
                       R"("bizStep":"commissioning","disposition":"active",)"
                       R"("inputQuantityList":[)" +
                       Q(graded, 5.0 * static_cast<double>(end - i), "KGM") +
                       R"(],"outputEPCList":[)" + List(c.items, i, end) + "]," +
                       Where(e.gln, "packing") + R"(,"ilmd":{"netWeight":"5 KGM","bestBefore":")" +
                       Year(2) + R"(-09-01"}})");
  }
  PackAndShip("6971234", index, e.gln, c.items, 10, d + 6, "", "", &c);
  return c;
}

Chain Generator::Halal(uint64_t index) const {
  Chain c;
  c.enterprise = index % enterprises_.size();
  const EnterpriseSpec& e = enterprises_[c.enterprise];
  const int m = static_cast<int>(index % 60);
  const int d = static_cast<int>(index % 40) + 40;  // September-October
  const std::string id = std::to_string(index);
  const std::string animals = LotPath(Gtin("6971237", 10), "L" + id);
  const std::string carcass = LotPath(Gtin("6971237", 11), "CC" + id);
  const std::string cuts = LotPath(Gtin("6971237", 12), "CUT" + id);
  c.lots = {animals, carcass, cuts};
  const double packed = 20.0 * static_cast<double>(cases_);  // 10 packs of 2 kg per case
  const double cuts_kg = packed * 1.05, carcass_kg = cuts_kg / 0.9, live_kg = carcass_kg / 0.5;
  c.events.push_back(
      Head("ObjectEvent", Time(d, 7, m)) +
      R"("action":"ADD","bizStep":"commissioning","disposition":"active",)"
      R"("quantityList":[)" +
      Q(animals, live_kg, "KGM") + "]," + Where(e.gln, "lairage") +
      R"(,"ilmd":{"breed":"Tan sheep","animalCount":)" + Num(std::round(live_kg / 40)) +
      R"(,"originRegion":"Yanchi, Ningxia","farm":"urn:origo:farm:YC-)" + id +
      R"("},"certificationInfo":["urn:origo:cert:animal_quarantine:AQ-)" + id + R"("]})");
  c.events.push_back(Head("ObjectEvent", Time(d, 16, m)) +
                     R"("action":"OBSERVE","bizStep":"inspecting","disposition":"conformant",)"
                     R"("quantityList":[)" +
                     Q(animals, live_kg, "KGM") + "]," + Where(e.gln, "lairage") +
                     R"(,"certificationInfo":["urn:origo:cert:animal_quarantine:AQ-)" + id +
                     R"("]})");
  c.events.push_back(Head("TransformationEvent", Time(d + 1, 6, m)) +
                     R"("bizStep":"urn:origo:bizstep:halal_slaughter","disposition":"active",)"
                     R"("inputQuantityList":[)" +
                     Q(animals, live_kg, "KGM") + R"(],"outputQuantityList":[)" +
                     Q(carcass, carcass_kg, "KGM") + "]," + Where(e.gln, "halal-line") +
                     R"(,"certificationInfo":["urn:origo:cert:halal:)" + e.halal_certificate +
                     R"("],"ilmd":{"slaughtererId":"HS-)" + std::to_string(index % 97) +
                     R"(","slaughterDate":")" + Time(d + 1, 6, m).substr(0, 10) + R"("}})");
  c.events.push_back(Head("ObjectEvent", Time(d + 1, 8, m)) +
                     R"("action":"OBSERVE","bizStep":"inspecting","disposition":"conformant",)"
                     R"("quantityList":[)" +
                     Q(carcass, carcass_kg, "KGM") + "]," + Where(e.gln, "halal-line") + "}");
  c.events.push_back(Head("TransformationEvent", Time(d + 2, 7, m)) +
                     R"("bizStep":"urn:origo:bizstep:cutting","disposition":"active",)"
                     R"("inputQuantityList":[)" +
                     Q(carcass, carcass_kg, "KGM") + R"(],"outputQuantityList":[)" +
                     Q(cuts, cuts_kg, "KGM") + "]," + Where(e.gln, "cutting-room") + "}");
  const std::string pack_gtin = Gtin("6971237", 13);
  for (size_t i = 0; i < cases_ * 10; ++i) {
    c.items.push_back(ItemPath(pack_gtin, "H" + id + "-" + std::to_string(i)));
  }
  for (size_t i = 0; i < c.items.size(); i += 40) {
    size_t end = std::min(c.items.size(), i + 40);
    c.events.push_back(Head("TransformationEvent", Time(d + 2, 12, m)) +
                       R"("bizStep":"commissioning","disposition":"active",)"
                       R"("inputQuantityList":[)" +
                       Q(cuts, 2.0 * static_cast<double>(end - i), "KGM") +
                       R"(],"outputEPCList":[)" + List(c.items, i, end) + "]," +
                       Where(e.gln, "packing") + R"(,"ilmd":{"netWeight":"2 KGM"}})");
  }
  const std::string cold =
      Temperature(Time(d + 3, 18, m), 2.5) + "," + Temperature(Time(d + 3, 19, m), 3.1);
  PackAndShip("6971237", index, e.gln, c.items, 10, d + 3,
              R"(,"certificationInfo":["urn:origo:cert:halal:)" + e.halal_certificate +
                  R"(","urn:origo:cert:veterinary:VC-)" + id + R"("])",
              cold, &c);
  return c;
}

}  // namespace origo::bench
