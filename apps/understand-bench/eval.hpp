#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/core/expected.hpp"

namespace frontdesk::understand_eval {

/// One caller utterance of the phrasing corpus (tests/corpus/README.md) with what it means.
struct utterance {
  std::string text;
  std::string cls;     // what the line measures: an intent, or time | choice | name | digits
  std::string context; // anything | when | choice | name | digits
  std::optional<std::string> intent;
  std::optional<std::string> date, time, part_of_day;
  bool name_labelled = false;
  std::optional<std::string> name; // with name_labelled: the name, or none given
  std::optional<std::string> service;
  std::vector<std::string> offered; // "2026-03-05T09:00"
  bool choice_labelled = false;
  std::optional<std::size_t> choice;
  std::optional<std::string> digits;
  std::size_t line = 0;
};

/// Reads the corpus: one JSON object a line, blank lines skipped. Fails on the first malformed
/// line, naming it.
expected<std::vector<utterance>> parse_corpus(std::string_view jsonl);

/// Right and measured counts of one aspect.
struct tally {
  std::size_t right = 0, total = 0;
  void add(bool ok) { ++total; right += ok ? 1 : 0; }
  double share() const { return total ? double(right) / double(total) : 1.0; }
};

/// A slot's figures: found right where the corpus names one, and found where it names none.
struct slot_tally {
  tally expected;  // right value where one is expected
  tally spurious;  // lines where none is expected: right = none found
};

/// One mistake, for reading.
struct miss {
  std::size_t line;
  std::string what; // "intent", "date", ...
  std::string text, want, got;
};

struct report {
  std::map<std::string, tally> intent_by_class;
  std::map<std::string, tally> whole_by_class; // every measured aspect of the line right
  std::map<std::string, slot_tally> slots;     // date, time, part_of_day, name, service, choice, digits
  tally intent_all, whole_all;
  std::vector<miss> misses;
};

/// The scenario clock the corpus is written against: Wednesday 2026-03-04, 3 PM local.
/// Runs classify(), the time parser and the extractors over `corpus`.
report evaluate(const std::vector<utterance>& corpus);

/// The report as a table: per class and per slot.
std::string format(const report& r);

} // namespace frontdesk::understand_eval
