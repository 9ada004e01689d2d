#include <algorithm>
#include <atomic>
#include <optional>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

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

/// What may decode a turn again after a poor reading (pocketsphinx_settings::redecode).
enum class second_pass {
  plain,  // the same audio through the business's model unleaned: as long as a turn
  general // the general model: it holds a speech thread for about a second
};

// A decoder and the named searches (business language models) loaded into it so far.
struct decoder {
  ps_decoder_t* ps = nullptr;
  std::set<std::string> searches;
};

// A business's language model: its search name (changes when the vocabulary does), the ARPA
// file, and the words the decoders' dictionary lacks, with pronunciations.
struct vocabulary {
  std::string search;
  std::string arpa_path;
  std::vector<std::pair<std::string, std::string>> new_words;
  std::size_t words = 0;
  /// The same model leaned towards what the dialog waits for: search name and ARPA file.
  std::map<listen_for, std::pair<std::string, std::string>> leaned;
};

const listen_for leanings[] = {listen_for::yes_no, listen_for::digits, listen_for::spelling,
                               listen_for::name,   listen_for::when,   listen_for::choice};

const char* leaning_name(listen_for h) {
  switch (h) {
  case listen_for::yes_no: return "yes_no";
  case listen_for::digits: return "digits";
  case listen_for::spelling: return "spelling";
  case listen_for::name: return "name";
  case listen_for::when: return "when";
  case listen_for::choice: return "choice";
  default: return "anything";
  }
}

// The sentences `phrases` with `hint`'s answers added about as often as all of them together:
// the model then expects such an answer first, and every other sentence still.
std::vector<std::string> leaned_phrases(const std::vector<std::string>& phrases, listen_for hint) {
  auto& extra = leaning_phrases(hint);
  auto out = phrases;
  if (extra.empty())
    return out;
  std::size_t times = std::max<std::size_t>(1, phrases.size() / extra.size());
  for (std::size_t k = 0; k < times; ++k)
    out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

// Writes the leaned models of `v` (named after its search) beside its own.
bool write_leaned(vocabulary& v, const std::string& dir, const std::vector<std::string>& phrases) {
  for (auto h : leanings) {
    auto search = v.search + "-" + leaning_name(h);
    auto path = dir + "/" + search + ".arpa";
    std::ofstream out(path);
    out << build_arpa(leaned_phrases(phrases, h));
    if (!out)
      return false;
    v.leaned[h] = {search, path};
  }
  return true;
}

// Pronunciations from the big dictionary for `wanted`; Flite for the rest.
std::vector<std::pair<std::string, std::string>> pronounce(const std::string& dictionary,
                                                           const std::set<std::string>& wanted,
                                                           int* from_flite) {
  std::map<std::string, std::vector<std::string>> entries;
  std::ifstream in(dictionary);
  std::string line;
  while (std::getline(in, line)) {
    auto sp = line.find(' ');
    if (sp == std::string::npos)
      continue;
    auto word = line.substr(0, sp);
    auto base = word.substr(0, word.find('('));
    if (wanted.count(base))
      entries[base].push_back(line.substr(sp + 1));
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& w : wanted) {
    auto it = entries.find(w);
    if (it != entries.end()) {
      for (std::size_t i = 0; i < it->second.size(); ++i)
        out.emplace_back(i ? w + "(" + std::to_string(i + 1) + ")" : w, it->second[i]);
    } else if (auto pron = flite_pronunciation(w); !pron.empty()) {
      out.emplace_back(w, pron);
      if (from_flite)
        ++*from_flite;
    }
  }
  return out;
}

class ps_session final : public stt_session {
public:
  /// `plain`: the search without leaning, to decode the utterance again with when the leaned
  /// one heard it poorly (empty: the session is not leaned).
  ps_session(ps_engine& e, decoder* d, double floor, double word_floor, std::string plain,
             bool keep_audio)
      : engine_(e), d_(d), ps_(d->ps), floor_(floor), word_floor_(word_floor),
        plain_(std::move(plain)), keep_audio_(keep_audio || !plain_.empty()), up_(8000, 16000) {
    ps_start_utt(ps_);
  }
  ~ps_session() override;
  void feed(std::span<const std::int16_t> pcm8k) override {
    buf_.clear();
    up_.process(pcm8k, buf_);
    if (buf_.empty())
      return;
    ps_process_raw(ps_, buf_.data(), buf_.size(), FALSE, FALSE);
    if (keep_audio_)
      all_.insert(all_.end(), buf_.begin(), buf_.end());
  }
  std::string partial() override {
    const char* h = ps_get_hyp(ps_, nullptr);
    return h ? h : "";
  }
  stt_result finish() override {
    if (finished_)
      return {};
    finished_ = true;
    ps_end_utt(ps_);
    auto r = read(ps_);
    if (!plain_.empty() && r.rejected && may_decode_again(second_pass::plain)) {
      // Leaned towards an answer the caller did not give ("yes" expected, "make it Tuesday"
      // said) so far that the reading is refused: decode the same audio with the model as it
      // is, and keep that reading if it is accepted. Only then: a leaned reading with a few
      // unsure words is still the better one. Measured on the same audio (apps/asr-eval), a
      // plain reading that won on confidence alone cost more words than it saved (171 against
      // 140 wrong over names, days and times, and yes/no, digits and spelling, in two voices)
      // and was the worse kind of wrong: in-domain words the caller never said ("monday at
      // ten" for a spelled name, "yes at one" for "yes that one"), with full confidence.
      ps_set_search(ps_, plain_.c_str());
      ps_start_utt(ps_);
      ps_process_raw(ps_, all_.data(), all_.size(), FALSE, TRUE);
      ps_end_utt(ps_);
      auto again = read(ps_);
      if (!again.text.empty() && !again.rejected)
        r = std::move(again);
    }
    if (keep_audio_ && poor(r) && may_decode_again(second_pass::general))
      general_pass(r);
    return r;
  }

  /// The hypothesis of the utterance `ps` has just ended (this session's decoder, or the
  /// general one), with its confidences judged by this session's floors.
  stt_result read(ps_decoder_t* ps) const {
    stt_result r;
    const char* h = ps_get_hyp(ps, nullptr);
    r.text = h ? h : "";
    // The posterior of a whole sentence shrinks with its length and with near-identical
    // alternatives ("talk to a person" / "a human"): judge it per word instead.
    auto* lm = ps_get_logmath(ps);
    double sentence = logmath_exp(lm, ps_get_prob(ps));
    auto words = std::max<std::size_t>(1, lm_words(r.text).size());
    r.confidence = std::pow(std::max(sentence, 1e-300), 1.0 / double(words));
    r.rejected = r.text.empty() || r.confidence < floor_;
    // Each word's own posterior, from the lattice the hypothesis came from.
    for (ps_seg_t* seg = ps_seg_iter(ps); seg; seg = ps_seg_next(seg)) {
      std::string w = ps_seg_word(seg);
      if (w.empty() || w[0] == '<' || w[0] == '[')
        continue; // silence, sentence marks, noise
      if (auto paren = w.find('('); paren != std::string::npos)
        w.resize(paren); // "the(2)": an alternative pronunciation
      int32 ascr = 0, lscr = 0, lback = 0;
      double p = logmath_exp(lm, ps_seg_prob(seg, &ascr, &lscr, &lback));
      p = std::clamp(p, 0.0, 1.0);
      r.words.push_back({w, p, p < word_floor_});
    }
    return r;
  }

private:
  bool may_decode_again(second_pass pass) const;
  void general_pass(stt_result& r);
  bool poor(const stt_result& r) const {
    if (r.rejected)
      return true;
    return std::any_of(r.words.begin(), r.words.end(), [](auto& w) { return w.unsure; });
  }

  ps_engine& engine_;
  decoder* d_;
  ps_decoder_t* ps_;
  double floor_;
  double word_floor_;
  std::string plain_;
  bool keep_audio_;
  resampler up_;
  std::vector<std::int16_t> buf_;
  std::vector<std::int16_t> all_; // the utterance at 16 kHz, when it may be decoded again
  bool finished_ = false;
};

class ps_engine final : public stt_engine {
public:
  ~ps_engine() override {
    if (general_loader_.joinable())
      general_loader_.join();
    if (general_)
      ps_free(general_);
    for (auto& d : all_)
      ps_free(d->ps);
  }

  expected<bool> init(const pocketsphinx_settings& s) {
    floor_ = s.confidence_floor;
    word_floor_ = s.word_floor;
    second_decode_ = s.second_decode;
    quiet_below_ = s.quiet_below;
    dir_ = s.work_dir;
    dictionary_ = s.dictionary;
    base_phrases_ = s.phrases;
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
    for (auto h : leanings) // in the dictionary from the start, for the leaned models
      for (auto& p : leaning_phrases(h))
        for (auto& w : lm_words(p))
          vocab.insert(w);
    base_words_ = vocab;
    if (!std::ifstream(s.dictionary))
      return fail("stt_init", "cannot read the dictionary " + s.dictionary);
    std::ofstream dict_out(dir_ + "/domain.dict");
    for (auto& [word, pron] : pronounce(s.dictionary, vocab, &flite_words_))
      dict_out << word << " " << pron << "\n";
    dict_out.close();
    // Our own feature parameters: the model's, with the telephone mean.
    std::ifstream fp(s.model_dir + "/feat.params");
    if (!fp)
      return fail("stt_init", "no acoustic model at " + s.model_dir);
    std::stringstream params;
    params << fp.rdbuf();
    std::ofstream(dir_ + "/feat.params") << replace_cmninit(params.str());
    err_set_logfp(nullptr); // PocketSphinx's chatter stays out of our logs
    if (!s.mllr.empty()) {
      // Read it once here so a bad file is named, not reported as a model that failed to load.
      if (!std::ifstream(s.mllr))
        return fail("stt_init", "cannot read the MLLR transform " + s.mllr);
      ps_mllr_t* m = ps_mllr_read(s.mllr.c_str());
      if (!m)
        return fail("stt_init", "not an MLLR transform: " + s.mllr);
      ps_mllr_free(m);
    }
    // Arguments as on PocketSphinx's command line, so each option is parsed by its own type.
    auto make_decoder = [s, dir = dir_](const std::string& lm, const std::string& dict,
                                          bool& bad_config) -> ps_decoder_t* {
      std::vector<std::string> args = {"-hmm", s.model_dir, "-lm", lm, "-dict", dict,
                                       "-featparams", dir + "/feat.params", "-samprate", "16000",
                                       "-logfn", "/dev/null"};
      if (!s.mllr.empty())
        args.insert(args.end(), {"-mllr", s.mllr});
      if (!s.flat_pass)
        args.insert(args.end(), {"-fwdflat", "no"});
      for (auto& [name, value] : s.options)
        args.insert(args.end(), {name[0] == '-' ? name : "-" + name, value});
      std::vector<char*> argv;
      for (auto& a : args)
        argv.push_back(a.data());
      cmd_ln_t* cfg = cmd_ln_parse_r(nullptr, ps_args(), int(argv.size()), argv.data(), TRUE);
      bad_config = !cfg;
      if (!cfg)
        return nullptr;
      ps_decoder_t* d = ps_init(cfg);
      cmd_ln_free_r(cfg);
      return d;
    };
    for (std::size_t i = 0; i < std::max<std::size_t>(1, s.decoders); ++i) {
      bool bad_config = false;
      ps_decoder_t* d = make_decoder(dir_ + "/domain.arpa", dir_ + "/domain.dict", bad_config);
      if (bad_config)
        return fail("stt_init", "bad PocketSphinx configuration");
      if (!d)
        return fail("stt_init", "PocketSphinx could not load the model");
      if (default_search_.empty() && ps_get_search(d))
        default_search_ = ps_get_search(d);
      all_.push_back(std::make_unique<decoder>(decoder{d, {}}));
      free_.push_back(all_.back().get());
    }
    // The domain's own model is each decoder's default search; its leaned ones load on first use.
    auto base = std::make_shared<vocabulary>();
    base->search = default_search_.empty() ? std::string("domain") : default_search_;
    base->words = vocab.size();
    if (!write_leaned(*base, dir_, s.phrases))
      return fail("stt_init", "cannot write the language models in " + dir_);
    base_ = std::move(base);
    if (!s.general_lm.empty()) {
      if (!std::ifstream(s.general_lm))
        return fail("stt_init", "cannot read the general language model " + s.general_lm);
      general_lm_ = s.general_lm;
      // About a second of loading (the whole dictionary and the model): in the background, so
      // a node starts as fast as without it; turns before it is ready go without.
      auto load = [this, make_decoder, dict = s.dictionary] {
        bool bad_config = false;
        general_ = make_decoder(general_lm_, dict, bad_config);
        if (general_)
          general_ready_.store(true, std::memory_order_release);
      };
      if (s.general_in_background)
        general_load_ = load; // started by the first turn that needs it
      else if (load(); !general_)
        return fail("stt_init", "PocketSphinx could not load " + s.general_lm);
    }
    return true;
  }

  std::unique_ptr<stt_session> start() override { return start(std::string()); }

  std::unique_ptr<stt_session> start(const std::string& key) override {
    return start(key, listen_for::anything);
  }

  std::unique_ptr<stt_session> start(const std::string& key, listen_for hint) override {
    decoder* d = nullptr;
    std::shared_ptr<const vocabulary> v;
    {
      std::lock_guard lk(mtx_);
      if (free_.empty())
        return nullptr;
      d = free_.back();
      free_.pop_back();
      if (auto it = vocab_.find(key); it != vocab_.end())
        v = it->second;
    }
    // The decoder is ours alone now: load the business's model into it on first use.
    std::string search = default_search_;
    if (v) {
      if (!d->searches.count(v->search)) {
        // A word another business already added to this decoder is refused: harmless.
        for (auto& [word, pron] : v->new_words)
          ps_add_word(d->ps, word.c_str(), pron.c_str(), FALSE);
        if (ps_set_lm_file(d->ps, v->search.c_str(), v->arpa_path.c_str()) == 0)
          d->searches.insert(v->search);
      }
      if (d->searches.count(v->search))
        search = v->search;
    }
    // Leaned towards the expected answer when that model loads; the plain one is the fallback.
    std::string plain;
    auto& from = search == default_search_ || !v ? base_ : v;
    if (auto it = from->leaned.find(hint); it != from->leaned.end() && !search.empty()) {
      auto& [name, path] = it->second;
      if (!d->searches.count(name) && ps_set_lm_file(d->ps, name.c_str(), path.c_str()) == 0)
        d->searches.insert(name);
      if (d->searches.count(name)) {
        plain = search;
        search = name;
      }
    }
    if (!search.empty())
      ps_set_search(d->ps, search.c_str());
    return std::make_unique<ps_session>(*this, d, floor_, word_floor_, std::move(plain),
                                        !general_lm_.empty());
  }

  expected<bool> set_vocabulary(const std::string& key,
                                const std::vector<std::string>& phrases) override {
    auto all = base_phrases_;
    all.insert(all.end(), phrases.begin(), phrases.end());
    std::set<std::string> words;
    for (auto& p : all)
      for (auto& w : lm_words(p))
        words.insert(w);
    auto text = build_arpa(all);
    auto search = "v" + std::to_string(std::hash<std::string>{}(key + "\n" + text) % 1000000007);
    {
      std::lock_guard lk(mtx_);
      if (auto it = vocab_.find(key); it != vocab_.end() && it->second->search == search)
        return true; // unchanged
    }
    auto v = std::make_shared<vocabulary>();
    v->search = search;
    v->arpa_path = dir_ + "/" + search + ".arpa";
    v->words = words.size();
    {
      std::ofstream out(v->arpa_path);
      out << text;
      if (!out)
        return fail("stt_vocabulary", "cannot write " + v->arpa_path);
    }
    // Words the decoders' dictionary lacks; their pronunciations go in on first use.
    std::set<std::string> missing;
    for (auto& w : words)
      if (!base_words_.count(w)) // read-only after init
        missing.insert(w);
    v->new_words = pronounce(dictionary_, missing, nullptr);
    if (!write_leaned(*v, dir_, all))
      return fail("stt_vocabulary", "cannot write the leaned models in " + dir_);
    std::lock_guard lk(mtx_);
    vocab_[key] = std::move(v);
    return true;
  }

  std::size_t vocabulary_words(const std::string& key) const override {
    std::lock_guard lk(mtx_);
    auto it = vocab_.find(key);
    return it == vocab_.end() ? 0 : it->second->words;
  }

  /// Whether a turn's poor reading may be decoded again now: `always` or `never` as set; under
  /// `when_quiet`, the plain pass while fewer than `quiet_below` callers are being decoded, and
  /// the general pass only for a caller who is the only one, so that no other caller's answer
  /// waits behind it. The one place this is decided.
  bool may_decode_again(second_pass pass) const {
    if (second_decode_ != pocketsphinx_settings::redecode::when_quiet)
      return second_decode_ == pocketsphinx_settings::redecode::always;
    std::lock_guard lk(mtx_);
    auto decoding = all_.size() - free_.size();
    return decoding < (pass == second_pass::general ? std::min<std::size_t>(quiet_below_, 2)
                                                    : quiet_below_);
  }

  /// The utterance (16 kHz) decoded with the general model, when it has loaded and no other
  /// turn is using it; nothing otherwise. Runs on the caller's thread (a speech worker), after
  /// may_decode_again(second_pass::general) allowed it.
  std::optional<stt_result> decode_general(const std::vector<std::int16_t>& audio,
                                           const ps_session& s) {
    if (!general_ready_.load(std::memory_order_acquire)) {
      // About a second of CPU and 90 MB: loaded once a turn first needs it, in the background,
      // so nodes whose callers are always heard well never pay for it. This turn goes without.
      if (general_load_ && !general_started_.exchange(true))
        general_loader_ = std::thread(general_load_);
      return std::nullopt;
    }
    std::unique_lock lk(general_mtx_, std::try_to_lock);
    if (!lk.owns_lock())
      return std::nullopt;
    ps_start_utt(general_);
    ps_process_raw(general_, audio.data(), audio.size(), FALSE, TRUE);
    ps_end_utt(general_);
    return s.read(general_);
  }

  void give_back(decoder* d) {
    std::lock_guard lk(mtx_);
    free_.push_back(d);
  }

  std::string name() const override { return "pocketsphinx"; }
  int flite_words() const { return flite_words_; }

private:
  mutable std::mutex mtx_;
  std::vector<std::unique_ptr<decoder>> all_;
  std::vector<decoder*> free_;
  std::map<std::string, std::shared_ptr<const vocabulary>> vocab_;
  std::string default_search_;
  std::shared_ptr<const vocabulary> base_; // the domain's own (leaned models only)
  std::string dictionary_;
  std::vector<std::string> base_phrases_;
  std::set<std::string> base_words_; // in the decoders' dictionary from the start
  double floor_ = 0;
  double word_floor_ = 0;
  pocketsphinx_settings::redecode second_decode_ = pocketsphinx_settings::redecode::when_quiet;
  std::size_t quiet_below_ = 4;
  std::string general_lm_;
  ps_decoder_t* general_ = nullptr; // written once by the loader, then read after general_ready_
  std::atomic<bool> general_ready_{false};
  std::mutex general_mtx_; // one turn at a time
  std::function<void()> general_load_;
  std::atomic<bool> general_started_{false};
  std::thread general_loader_; // written once, by the turn that set general_started_
  std::string dir_;
  bool owns_dir_ = false;
  int flite_words_ = 0;
};

bool ps_session::may_decode_again(second_pass pass) const {
  return engine_.may_decode_again(pass);
}

// Still poor under the business's models: perhaps the caller said something they do not cover.
// The general model's reading replaces it only when it is accepted and the surer one.
void ps_session::general_pass(stt_result& r) {
  auto general = engine_.decode_general(all_, *this);
  if (general && !general->text.empty() && !general->rejected &&
      (r.text.empty() || general->confidence > r.confidence))
    r = std::move(*general);
}

ps_session::~ps_session() {
  if (!finished_)
    ps_end_utt(ps_);
  engine_.give_back(d_);
}

} // namespace

std::string built_mllr_path() {
  std::error_code ec;
  auto exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec)
    return {};
  auto p = exe.parent_path().parent_path() / "mllr" / "mllr_matrix";
  return fs::is_regular_file(p, ec) ? p.string() : std::string();
}

expected<std::unique_ptr<stt_engine>> make_pocketsphinx(const pocketsphinx_settings& s) {
  auto e = std::make_unique<ps_engine>();
  auto ok = e->init(s);
  if (!ok)
    return ok.error();
  return std::unique_ptr<stt_engine>(std::move(e));
}

} // namespace frontdesk::speech
