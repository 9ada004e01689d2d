// Word error rate of the embedded recogniser on caller turns rendered by Flite voices through
// the telephone channel (8 kHz μ-law, as the product hears callers), with and without the
// acoustic model's MLLR transform. Same audio, same language model (the product's default
// phrases) for both; prints figures per voice and overall.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include <time.h>

#include <CLI/CLI.hpp>
#include <date/date.h>

#include "actors/dialog/phrases.hpp"
#include "adapters/speech/recognizer.hpp"
#include "adapters/speech/speech.hpp"
#include "protocols/audio/mulaw.hpp"

using namespace frontdesk;

namespace {

// This thread's CPU time in seconds: figures that hold on a machine shared with other work.
double thread_cpu_s() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

// Edit distance between word sequences (substitutions, insertions, deletions).
std::size_t word_errors(const std::vector<std::string>& ref, const std::vector<std::string>& hyp) {
  std::vector<std::size_t> row(hyp.size() + 1);
  for (std::size_t j = 0; j <= hyp.size(); ++j)
    row[j] = j;
  for (std::size_t i = 1; i <= ref.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= hyp.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (ref[i - 1] == hyp[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[hyp.size()];
}

struct tally {
  std::size_t words = 0, errors = 0, short_right = 0, short_total = 0, sentences_right = 0,
              sentences = 0;
  // Of the words heard: right or wrong (in the best alignment), and flagged unsure or not.
  std::size_t right_unsure = 0, right_sure = 0, wrong_unsure = 0, wrong_sure = 0;
  // The audio's seconds, and the CPU seconds (this thread's) spent decoding it.
  double audio_s = 0, decode_s = 0;
  // The CPU work left when the audio ends (finish(): the last frames, the lattice, any second
  // decode), per turn: what a caller waits for beyond the endpointer's pause.
  std::vector<double> finish_ms;
  void add(const tally& o) {
    finish_ms.insert(finish_ms.end(), o.finish_ms.begin(), o.finish_ms.end());
    right_unsure += o.right_unsure;
    right_sure += o.right_sure;
    wrong_unsure += o.wrong_unsure;
    wrong_sure += o.wrong_sure;
    words += o.words;
    errors += o.errors;
    short_right += o.short_right;
    short_total += o.short_total;
    sentences_right += o.sentences_right;
    sentences += o.sentences;
    audio_s += o.audio_s;
    decode_s += o.decode_s;
  }
  void print(const std::string& label) const {
    std::printf("%-22s WER %5.1f%% (%zu/%zu words)  sentences right %zu/%zu  one-word replies "
                "right %zu/%zu  CPU/audio %.2f\n",
                label.c_str(), words ? 100.0 * double(errors) / double(words) : 0.0, errors, words,
                sentences_right, sentences, short_right, short_total,
                audio_s > 0 ? decode_s / audio_s : 0.0);
    auto f = finish_ms;
    std::sort(f.begin(), f.end());
    double mean = 0;
    for (double x : f)
      mean += x / double(f.size());
    std::printf("%-22s after the audio ms: mean %.1f  p95 %.1f  max %.1f\n", "", mean,
                f.empty() ? 0.0 : f[std::min(f.size() - 1, f.size() * 95 / 100)],
                f.empty() ? 0.0 : f.back());
    std::printf("%-22s words heard wrong flagged unsure %zu/%zu, heard right flagged unsure "
                "%zu/%zu\n",
                "", wrong_unsure, wrong_unsure + wrong_sure, right_unsure,
                right_unsure + right_sure);
  }
};

// Which heard words are wrong: those not on the best alignment's matching path (a longest
// common subsequence of the reference and the hypothesis).
std::vector<bool> heard_right(const std::vector<std::string>& ref,
                              const std::vector<std::string>& hyp) {
  std::vector<std::vector<std::size_t>> l(ref.size() + 1, std::vector<std::size_t>(hyp.size() + 1));
  for (std::size_t i = ref.size(); i-- > 0;)
    for (std::size_t j = hyp.size(); j-- > 0;)
      l[i][j] = ref[i] == hyp[j] ? l[i + 1][j + 1] + 1 : std::max(l[i + 1][j], l[i][j + 1]);
  std::vector<bool> right(hyp.size(), false);
  for (std::size_t i = 0, j = 0; i < ref.size() && j < hyp.size();) {
    if (ref[i] == hyp[j]) {
      right[j] = true;
      ++i, ++j;
    } else if (l[i + 1][j] >= l[i][j + 1]) {
      ++i;
    } else {
      ++j;
    }
  }
  return right;
}

// "yes_no|no thank you": the turn answers a prompt that expected a yes or no.
std::pair<speech::listen_for, std::string> prompt_and_turn(const std::string& line) {
  auto bar = line.find('|');
  if (bar == std::string::npos)
    return {speech::listen_for::anything, line};
  auto tag = line.substr(0, bar);
  auto hint = tag == "yes_no"     ? speech::listen_for::yes_no
              : tag == "digits"   ? speech::listen_for::digits
              : tag == "spelling" ? speech::listen_for::spelling
              : tag == "when"     ? speech::listen_for::when
              : tag == "choice"   ? speech::listen_for::choice
              : tag == "name"     ? speech::listen_for::name
                                  : speech::listen_for::anything;
  return {hint, line.substr(bar + 1)};
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"Recogniser word error rate on Flite voices through the telephone channel, "
               "with and without the MLLR transform"};
  std::string sentences_path = std::string(FRONTDESK_SOURCE_DIR) + "/apps/asr-eval/sentences.txt";
  std::string voices = "slt,kal,rms";
  std::string mllr = speech::built_mllr_path();
  bool verbose = false;
  bool lean = false;
  bool plain_only = false;
  bool flat_pass = false;
  bool no_second_decode = false;
  app.add_option("--sentences", sentences_path, "caller turns, one per line (# comments)");
  app.add_option("--voices", voices, "Flite voices, comma-separated");
  app.add_option("--mllr", mllr, "the transform (default: the build's)");
  app.add_flag("-v,--verbose", verbose, "print each misrecognised turn");
  app.add_flag("--lean", lean,
               "decode each turn leaning towards what its prompt expected (the line's tag: "
               "yes_no|, digits|, spelling|), as the product does");
  app.add_flag("--mllr-only", plain_only, "decode only with the transform (half the time)");
  app.add_flag("--flat-pass", flat_pass,
               "decode with PocketSphinx's flat-lexicon second pass (-fwdflat yes; off in the "
               "product)");
  app.add_flag("--no-second-decode", no_second_decode,
               "with --lean: never decode a poorly heard turn again without the leaning "
               "(speech.second_pass = never)");
  std::string general;
  app.add_option("--general", general,
                 "decode a turn still heard poorly again with this general model "
                 "(speech.general_model), e.g. /usr/share/pocketsphinx/model/en-us/en-us.lm.bin");
  std::vector<std::string> options;
  app.add_option("--option", options,
                 "a PocketSphinx option for the decoders, NAME=VALUE (repeatable): -ds=2");
  CLI11_PARSE(app, argc, argv);
  if (mllr.empty()) {
    std::cerr << "no MLLR transform: run scripts/adapt-acoustic.sh build/mllr or pass --mllr\n";
    return 2;
  }
  std::vector<std::string> sentences;
  {
    std::ifstream in(sentences_path);
    if (!in) {
      std::cerr << "cannot read " << sentences_path << "\n";
      return 2;
    }
    for (std::string line; std::getline(in, line);)
      if (!line.empty() && line[0] != '#')
        sentences.push_back(line);
  }
  // The product's language model: its caller phrases and this month's dates.
  speech::pocketsphinx_settings base;
  base.phrases = dialog::recognizer_phrases({});
  date::year_month_day today{date::floor<date::days>(std::chrono::system_clock::now())};
  auto dates = dialog::date_phrases(unsigned(today.month()), 3);
  base.phrases.insert(base.phrases.end(), dates.begin(), dates.end());
  base.decoders = 1;
  base.flat_pass = flat_pass;
  base.general_lm = general;
  base.general_in_background = false;
  base.second_decode = no_second_decode ? speech::pocketsphinx_settings::redecode::never
                                        : speech::pocketsphinx_settings::redecode::always;
  for (auto& o : options) {
    auto eq = o.find('=');
    if (eq == std::string::npos) {
      std::cerr << "--option wants NAME=VALUE, not " << o << "\n";
      return 2;
    }
    base.options.emplace_back(o.substr(0, eq), o.substr(eq + 1));
  }
  auto adapted = base;
  adapted.mllr = mllr;
  auto plain_engine = speech::make_pocketsphinx(base);
  auto mllr_engine = speech::make_pocketsphinx(adapted);
  if (!plain_engine || !mllr_engine) {
    std::cerr << "recogniser: "
              << (!plain_engine ? plain_engine.error().message : mllr_engine.error().message)
              << "\n";
    return 1;
  }
  std::printf("%zu turns, transform %s%s\n", sentences.size(), mllr.c_str(),
              lean ? ", leaning towards each prompt's expected answer" : "");
  tally all[2];
  std::stringstream vs(voices);
  for (std::string voice; std::getline(vs, voice, ',');) {
    auto tts = speech::make_flite_tts(voice);
    if (!tts) {
      std::cerr << "no Flite voice " << voice << "\n";
      return 2;
    }
    tally per[2];
    for (auto& line : sentences) {
      auto [hint, text] = prompt_and_turn(line);
      auto mulaw = speech::synthesize_all(*tts, text);
      if (!mulaw) {
        std::cerr << "synthesis failed: " << mulaw.error().message << "\n";
        return 1;
      }
      std::vector<std::int16_t> pcm;
      audio::mulaw_decode(*mulaw, pcm);
      pcm.insert(pcm.end(), 2400, 0); // 300 ms of silence, as the endpointer leaves
      auto ref = speech::lm_words(text);
      for (int k = plain_only ? 1 : 0; k < 2; ++k) {
        auto& engine = k ? **mllr_engine : **plain_engine;
        auto session = engine.start(std::string(), lean ? hint : speech::listen_for::anything);
        auto t0 = thread_cpu_s();
        for (std::size_t off = 0; off < pcm.size(); off += 160) // 20 ms frames
          session->feed(std::span(pcm).subspan(off, std::min<std::size_t>(160, pcm.size() - off)));
        auto t1 = thread_cpu_s();
        auto r = session->finish();
        auto t2 = thread_cpu_s();
        auto& t = per[k];
        t.decode_s += t2 - t0;
        t.finish_ms.push_back((t2 - t1) * 1000.0);
        t.audio_s += double(pcm.size()) / 8000.0;
        auto hyp = speech::lm_words(r.text);
        auto e = word_errors(ref, hyp);
        t.words += ref.size();
        t.errors += e;
        t.sentences += 1;
        t.sentences_right += e == 0;
        if (ref.size() == 1) {
          t.short_total += 1;
          t.short_right += e == 0;
        }
        auto right = heard_right(ref, hyp);
        for (std::size_t j = 0; j < hyp.size(); ++j) {
          bool unsure = j < r.words.size() && r.words[j].unsure;
          (right[j] ? (unsure ? t.right_unsure : t.right_sure)
                    : (unsure ? t.wrong_unsure : t.wrong_sure)) += 1;
        }
        if (verbose && e)
          std::printf("  %s %-6s '%s' heard as '%s'\n", voice.c_str(), k ? "mllr" : "plain",
                      text.c_str(), r.text.c_str());
      }
    }
    per[0].print(voice + " without");
    per[1].print(voice + " with MLLR");
    all[0].add(per[0]);
    all[1].add(per[1]);
  }
  all[0].print("all without");
  all[1].print("all with MLLR");
  return 0;
}
