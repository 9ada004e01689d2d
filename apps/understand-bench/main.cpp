// Measures how caller understanding generalises: runs the intent classifier, the time parser and
// the name, service, choice and digit extractors over the phrasing corpus and prints accuracy
// per class and per slot (tests/corpus/README.md).
//   frontdesk-understand-bench [--corpus FILE] [--misses] [--only CLASS]
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include <CLI/CLI.hpp>

#include "apps/understand-bench/eval.hpp"

using namespace frontdesk;

int main(int argc, char** argv) {
  CLI::App app{"Accuracy of caller understanding on the phrasing corpus, per class and slot."};
  std::string path = FRONTDESK_SOURCE_DIR "/tests/corpus/utterances.jsonl";
  bool misses = false;
  std::string only;
  app.add_option("--corpus", path, "The corpus (JSON lines)")->capture_default_str();
  app.add_flag("--misses", misses, "Also list every line understood wrongly");
  app.add_option("--only", only, "With --misses: only this aspect (intent, date, time, ...)");
  CLI11_PARSE(app, argc, argv);
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    return 2;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  auto corpus = understand_eval::parse_corpus(ss.str());
  if (!corpus) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), corpus.error().message.c_str());
    return 2;
  }
  auto r = understand_eval::evaluate(*corpus);
  std::printf("%zu utterances from %s\n\n%s", corpus->size(), path.c_str(),
              understand_eval::format(r).c_str());
  if (misses) {
    std::printf("\n");
    for (auto& m : r.misses)
      if (only.empty() || m.what == only)
        std::printf("%4zu %-11s want %-22s got %-22s | %s\n", m.line, m.what.c_str(),
                    m.want.c_str(), m.got.c_str(), m.text.c_str());
  }
  return 0;
}
