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

#include <CLI/CLI.hpp>
#include <date/date.h>

#include "actors/dialog/phrases.hpp"
#include "adapters/speech/recognizer.hpp"
#include "adapters/speech/speech.hpp"
#include "protocols/audio/mulaw.hpp"

using namespace frontdesk;

namespace {

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
  double audio_s = 0, decode_s = 0;
  void add(const tally& o) {
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
  }
};

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"Recogniser word error rate on Flite voices through the telephone channel, "
               "with and without the MLLR transform"};
  std::string sentences_path = std::string(FRONTDESK_SOURCE_DIR) + "/apps/asr-eval/sentences.txt";
  std::string voices = "slt,kal,rms";
  std::string mllr = speech::built_mllr_path();
  bool verbose = false;
  app.add_option("--sentences", sentences_path, "caller turns, one per line (# comments)");
  app.add_option("--voices", voices, "Flite voices, comma-separated");
  app.add_option("--mllr", mllr, "the transform (default: the build's)");
  app.add_flag("-v,--verbose", verbose, "print each misrecognised turn");
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
  std::printf("%zu turns, transform %s\n", sentences.size(), mllr.c_str());
  tally all[2];
  std::stringstream vs(voices);
  for (std::string voice; std::getline(vs, voice, ',');) {
    auto tts = speech::make_flite_tts(voice);
    if (!tts) {
      std::cerr << "no Flite voice " << voice << "\n";
      return 2;
    }
    tally per[2];
    for (auto& text : sentences) {
      auto mulaw = speech::synthesize_all(*tts, text);
      if (!mulaw) {
        std::cerr << "synthesis failed: " << mulaw.error().message << "\n";
        return 1;
      }
      std::vector<std::int16_t> pcm;
      audio::mulaw_decode(*mulaw, pcm);
      pcm.insert(pcm.end(), 2400, 0); // 300 ms of silence, as the endpointer leaves
      auto ref = speech::lm_words(text);
      for (int k = 0; k < 2; ++k) {
        auto& engine = k ? **mllr_engine : **plain_engine;
        auto session = engine.start();
        auto t0 = std::chrono::steady_clock::now();
        for (std::size_t off = 0; off < pcm.size(); off += 160) // 20 ms frames
          session->feed(std::span(pcm).subspan(off, std::min<std::size_t>(160, pcm.size() - off)));
        auto r = session->finish();
        auto& t = per[k];
        t.decode_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
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
