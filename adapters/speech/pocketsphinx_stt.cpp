#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "adapters/speech/flite_lock.hpp"
#include "adapters/speech/recognizer.hpp"
#include "adapters/speech/speech.hpp"

extern "C" {
#include <flite/flite.h>
#include <pocketsphinx/pocketsphinx.h>
#include <sphinxbase/err.h>
cst_lexicon* cmu_lex_init(void);
}

namespace frontdesk::speech {
namespace {

namespace fs = std::filesystem;

// The telephone channel's cepstral mean: without it the first utterance of a call often fails.
constexpr const char* telephone_cmninit =
    "41.0,27.3,-45.7,29.5,-22.5,-19.8,9.1,-36.6,-0.7,-8.8,-19.6,6.9,-14.5";

// Flite's phones (lower case, stress digits) to the model's ARPAbet.
std::string flite_pronunciation(const std::string& word) {
  std::lock_guard lk(flite_lock());
  static cst_lexicon* lex = [] {
    flite_init();
    return cmu_lex_init();
  }();
  cst_val* phones = lex_lookup(lex, word.c_str(), nullptr, nullptr);
  std::string out;
  for (const cst_val* v = phones; v; v = val_cdr(v)) {
    std::string p = val_string(val_car(v));
    std::string clean;
    for (char c : p)
      if (std::isalpha(static_cast<unsigned char>(c)))
        clean += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (clean == "AX")
      clean = "AH";
    if (clean.empty() || clean == "PAU")
      continue;
    out += (out.empty() ? "" : " ") + clean;
  }
  if (phones)
    delete_val(phones);
  return out;
}

std::string replace_cmninit(const std::string& params) {
  std::istringstream in(params);
  std::string line, out;
  bool seen = false;
  while (std::getline(in, line)) {
    if (line.rfind("-cmninit", 0) == 0) {
      line = std::string("-cmninit ") + telephone_cmninit;
      seen = true;
    }
    out += line + "\n";
  }
  if (!seen)
    out += std::string("-cmninit ") + telephone_cmninit + "\n";
  return out;
}

class ps_engine;

class ps_session final : public stt_session {
public:
  ps_session(ps_engine& e, ps_decoder_t* ps, double floor)
      : engine_(e), ps_(ps), floor_(floor), up_(8000, 16000) {
    ps_start_utt(ps_);
  }
  ~ps_session() override;
  void feed(std::span<const std::int16_t> pcm8k) override {
    buf_.clear();
    up_.process(pcm8k, buf_);
    if (!buf_.empty())
      ps_process_raw(ps_, buf_.data(), buf_.size(), FALSE, FALSE);
  }
  std::string partial() override {
    const char* h = ps_get_hyp(ps_, nullptr);
    return h ? h : "";
  }
  stt_result finish() override {
    stt_result r;
    if (finished_)
      return r;
    finished_ = true;
    ps_end_utt(ps_);
    const char* h = ps_get_hyp(ps_, nullptr);
    r.text = h ? h : "";
    // The posterior of a whole sentence shrinks with its length and with near-identical
    // alternatives ("talk to a person" / "a human"): judge it per word instead.
    double sentence = logmath_exp(ps_get_logmath(ps_), ps_get_prob(ps_));
    auto words = std::max<std::size_t>(1, lm_words(r.text).size());
    r.confidence = std::pow(std::max(sentence, 1e-300), 1.0 / double(words));
    r.rejected = r.text.empty() || r.confidence < floor_;
    return r;
  }

private:
  ps_engine& engine_;
  ps_decoder_t* ps_;
  double floor_;
  resampler up_;
  std::vector<std::int16_t> buf_;
  bool finished_ = false;
};

class ps_engine final : public stt_engine {
public:
  ~ps_engine() override {
    for (auto* d : all_)
      ps_free(d);
  }

  expected<bool> init(const pocketsphinx_settings& s) {
    floor_ = s.confidence_floor;
    dir_ = s.work_dir;
    if (dir_.empty()) {
      char tmpl[] = "/tmp/frontdesk-lm-XXXXXX";
      if (!::mkdtemp(tmpl))
        return fail("stt_init", "cannot create a directory for the language model");
      dir_ = tmpl;
      owns_dir_ = true;
    }
    fs::create_directories(dir_);
    // Language model from the domain phrases.
    std::ofstream(dir_ + "/domain.arpa") << build_arpa(s.phrases);
    // Dictionary: the vocabulary's entries from the big dictionary, Flite for the rest.
    std::set<std::string> vocab;
    for (auto& p : s.phrases)
      for (auto& w : lm_words(p))
        vocab.insert(w);
    std::ifstream dict_in(s.dictionary);
    if (!dict_in)
      return fail("stt_init", "cannot read the dictionary " + s.dictionary);
    std::map<std::string, std::vector<std::string>> entries;
    std::string line;
    while (std::getline(dict_in, line)) {
      auto sp = line.find(' ');
      if (sp == std::string::npos)
        continue;
      auto word = line.substr(0, sp);
      auto base = word.substr(0, word.find('('));
      if (vocab.count(base))
        entries[base].push_back(line.substr(sp + 1));
    }
    std::ofstream dict_out(dir_ + "/domain.dict");
    for (auto& w : vocab) {
      auto it = entries.find(w);
      if (it != entries.end()) {
        for (std::size_t i = 0; i < it->second.size(); ++i)
          dict_out << w << (i ? "(" + std::to_string(i + 1) + ")" : "") << " " << it->second[i]
                   << "\n";
      } else {
        auto pron = flite_pronunciation(w);
        if (!pron.empty()) {
          dict_out << w << " " << pron << "\n";
          ++flite_words_;
        }
      }
    }
    dict_out.close();
    // Our own feature parameters: the model's, with the telephone mean.
    std::ifstream fp(s.model_dir + "/feat.params");
    if (!fp)
      return fail("stt_init", "no acoustic model at " + s.model_dir);
    std::stringstream params;
    params << fp.rdbuf();
    std::ofstream(dir_ + "/feat.params") << replace_cmninit(params.str());
    err_set_logfp(nullptr); // PocketSphinx's chatter stays out of our logs
    for (std::size_t i = 0; i < std::max<std::size_t>(1, s.decoders); ++i) {
      cmd_ln_t* cfg = cmd_ln_init(nullptr, ps_args(), TRUE, "-hmm", s.model_dir.c_str(), "-lm",
                                  (dir_ + "/domain.arpa").c_str(), "-dict",
                                  (dir_ + "/domain.dict").c_str(), "-featparams",
                                  (dir_ + "/feat.params").c_str(), "-samprate", "16000",
                                  "-logfn", "/dev/null", nullptr);
      if (!cfg)
        return fail("stt_init", "bad PocketSphinx configuration");
      ps_decoder_t* d = ps_init(cfg);
      cmd_ln_free_r(cfg);
      if (!d)
        return fail("stt_init", "PocketSphinx could not load the model");
      all_.push_back(d);
      free_.push_back(d);
    }
    return true;
  }

  std::unique_ptr<stt_session> start() override {
    std::lock_guard lk(mtx_);
    if (free_.empty())
      return nullptr;
    auto* d = free_.back();
    free_.pop_back();
    return std::make_unique<ps_session>(*this, d, floor_);
  }

  void give_back(ps_decoder_t* d) {
    std::lock_guard lk(mtx_);
    free_.push_back(d);
  }

  std::string name() const override { return "pocketsphinx"; }
  int flite_words() const { return flite_words_; }

private:
  std::mutex mtx_;
  std::vector<ps_decoder_t*> all_, free_;
  double floor_ = 0;
  std::string dir_;
  bool owns_dir_ = false;
  int flite_words_ = 0;
};

ps_session::~ps_session() {
  if (!finished_)
    ps_end_utt(ps_);
  engine_.give_back(ps_);
}

} // namespace

expected<std::unique_ptr<stt_engine>> make_pocketsphinx(const pocketsphinx_settings& s) {
  auto e = std::make_unique<ps_engine>();
  auto ok = e->init(s);
  if (!ok)
    return ok.error();
  return std::unique_ptr<stt_engine>(std::move(e));
}

} // namespace frontdesk::speech
