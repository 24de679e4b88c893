// `fedload verify FILE.h5 [--json]`: recomputes a federated run's provenance hash chain and the
// final model's hash; says OK or the first round where the file breaks. Exit 0 when OK (a killed
// run's file is OK when the rounds it holds are), 1 when the chain is broken, 2 for a file that
// is not a fedload result or has no provenance.
#include <cstdio>
#include <iostream>
#include <string>

#include <fmt/format.h>

#include "fedload/app/commands.hpp"
#include "fedload/io/json_text.hpp"
#include "fedload/io/provenance.hpp"
#include "fedload/io/result_reader.hpp"

namespace fedload::app {
namespace {

const char* status_text(io::CheckStatus s) {
  switch (s) {
    case io::CheckStatus::kOk: return "OK";
    case io::CheckStatus::kFailed: return "FAILED";
    case io::CheckStatus::kSkipped: return "SKIPPED";
  }
  return "?";
}

std::string verdict(const io::VerifyResult& v) {
  if (!v.ok) return "BROKEN: " + v.first_break;
  if (!v.complete) {
    const std::string of = v.planned_rounds >= 0 ? fmt::format(" of {}", v.planned_rounds) : std::string();
    return fmt::format("OK, incomplete run: {}{} rounds recorded, all of them intact", v.records, of);
  }
  return fmt::format("OK: {} rounds, chain and final model intact", v.records);
}

std::string as_text(const std::string& path, const io::VerifyResult& v) {
  std::string out = fmt::format("file     {}\nstatus   {}\n", path, v.complete ? "complete" : "incomplete (run did not finish)");
  for (const auto& c : v.checks) out += fmt::format("  {:<15}{:<9}{}\n", c.name, status_text(c.status), c.detail);
  out += "verdict  " + verdict(v) + "\n";
  return out;
}

std::string as_json(const std::string& path, const io::VerifyResult& v) {
  std::string out = "{\"file\": " + io::json_string(path);
  out += fmt::format(", \"ok\": {}, \"complete\": {}, \"records\": {}", v.ok ? "true" : "false",
                     v.complete ? "true" : "false", io::json_number(v.records));
  out += ", \"planned_rounds\": " + (v.planned_rounds >= 0 ? io::json_number(v.planned_rounds) : std::string("null"));
  out += ", \"broken_round\": " + (v.broken_round ? io::json_number(*v.broken_round) : std::string("null"));
  out += ", \"first_break\": " + (v.ok ? std::string("null") : io::json_string(v.first_break));
  out += ", \"verdict\": " + io::json_string(verdict(v)) + ", \"checks\": [";
  for (std::size_t i = 0; i < v.checks.size(); ++i) {
    const auto& c = v.checks[i];
    out += fmt::format("{}{{\"name\": {}, \"status\": {}, \"detail\": {}}}", i ? ", " : "", io::json_string(c.name),
                       io::json_string(status_text(c.status)), io::json_string(c.detail));
  }
  return out + "]}\n";
}

}  // namespace

int verify_command(const std::string& path, bool json) {
  const auto reader = io::ResultReader::open(path);
  const auto v = io::verify_provenance(reader);
  std::cout << (json ? as_json(path, v) : as_text(path, v));
  return v.ok ? 0 : 1;
}

}  // namespace fedload::app
