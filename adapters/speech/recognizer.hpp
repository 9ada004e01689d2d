#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "protocols/core/expected.hpp"

namespace frontdesk::speech {

/// Voice activity, one 20 ms frame of 8 kHz audio at a time.
class vad {
public:
  virtual ~vad() = default;
  /// True when the frame holds speech.
  virtual bool is_speech(std::span<const std::int16_t> frame8k) = 0;
  virtual void reset() = 0;
};

/// sphinxbase's front-end VAD, configured for 8 kHz with short hangovers (the endpointer,
/// not the VAD, decides when a turn ends).
std::unique_ptr<vad> make_sphinx_vad();

/// What the dialog waits for next. A recogniser may lean its search towards it (as telephone
/// IVRs do with a grammar per prompt), never so far that other words cannot be heard: a caller
/// asked yes or no may still say "actually, make it Tuesday".
enum class listen_for { anything, digits, name, email, yes_no, spelling, when, choice };

/// One recognised word and how sure the recogniser is of it.
struct stt_word {
  std::string word;
  double confidence = 0; // posterior probability, 0..1
  bool unsure = false;   // below the engine's word floor: confirm before acting on it
};

/// What the recogniser made of an utterance.
struct stt_result {
  std::string text;
  double confidence = 0; // the hypothesis' posterior per word (geometric mean), 0..1
  bool rejected = false; // below the confidence floor: ask the caller to repeat
  bool unavailable = false; // no decoder was free for the whole utterance (also rejected)
  /// Something the call's transcript should say about how this turn was recognised (a cloud
  /// recogniser failed over to the embedded one); usually empty.
  std::string note;
  /// The words of `text` with their confidences, when the engine gives them (empty otherwise).
  std::vector<stt_word> words;
  /// Of the time the turn's end waited for this result, how long a remote vendor had the
  /// question (a cloud recogniser's final after the turn's last audio went out), in µs; 0 for
  /// an engine on this node.
  std::int64_t vendor_wait_us = 0;
};

/// One utterance's decoding. Use from one thread at a time (a worker, never a scheduler thread).
class stt_session {
public:
  virtual ~stt_session() = default;
  virtual void feed(std::span<const std::int16_t> pcm8k) = 0;
  /// The best guess so far (cheap enough to call every few frames).
  virtual std::string partial() = 0;
  virtual stt_result finish() = 0;
  /// For a recogniser whose answer comes from elsewhere (a vendor's socket): instead of
  /// finish() waiting for it, asks for the end of the utterance now and returns true; `ready`
  /// then runs once, on any thread, when finish() will return without waiting. False (the
  /// default) when finish() never waits on anything remote: call it at once.
  virtual bool when_ready(std::function<void()> ready) {
    (void)ready;
    return false;
  }
};

/// A speech recogniser: a pool of decoders sharing one loaded model.
class stt_engine {
public:
  virtual ~stt_engine() = default;
  /// A session holding one decoder until it is destroyed; nothing when all are busy.
  virtual std::unique_ptr<stt_session> start() = 0;
  /// A session that listens for the vocabulary set under `key` (a business), or for the
  /// engine's own when there is none yet.
  virtual std::unique_ptr<stt_session> start(const std::string& key) {
    (void)key;
    return start();
  }
  /// As start(key), leaning towards what the dialog waits for. Engines without language models
  /// ignore the hint.
  virtual std::unique_ptr<stt_session> start(const std::string& key, listen_for hint) {
    (void)hint;
    return start(key);
  }
  /// Sets (or replaces) the vocabulary under `key`: a language model of `phrases` (the
  /// engine's domain plus a business's own words). Blocking, tens of milliseconds: run it on a
  /// worker. Engines without language models accept and ignore it.
  virtual expected<bool> set_vocabulary(const std::string& key,
                                        const std::vector<std::string>& phrases) {
    (void)key;
    (void)phrases;
    return true;
  }
  /// The vocabulary in use under `key`, as a count of distinct words (0: none set).
  virtual std::size_t vocabulary_words(const std::string& key) const {
    (void)key;
    return 0;
  }
  virtual std::string name() const = 0;
};

struct pocketsphinx_settings {
  std::string model_dir = "/usr/share/pocketsphinx/model/en-us/en-us";
  std::string dictionary = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict";
  std::vector<std::string> phrases; // the domain: a trigram model is built from them
  std::size_t decoders = 2;
  double confidence_floor = 0.05; // per word; in-domain sentences measured 0.15 to 0.6
  /// A word below this posterior is one the recogniser is unsure of (stt_result::words); an
  /// utterance decoded with a leaning (listen_for) whose words fall below it is decoded again
  /// without the leaning, and the better of the two kept.
  double word_floor = 0.5;
  std::string work_dir;             // where the model files go (default: a temp directory)
  /// An MLLR transform of the acoustic model to the telephone channel (scripts/adapt-acoustic.sh
  /// writes one); empty: the model as shipped. A file that cannot be read fails make_pocketsphinx.
  std::string mllr;
  /// PocketSphinx's second, flat-lexicon pass over the whole utterance when it ends (-fwdflat).
  /// It runs after the caller stops speaking, so it was nearly all of the CPU a final cost:
  /// frontdesk-asr-eval measured 32 ms (p95 50) per turn with it and 0.9 ms (p95 1.8)
  /// without, word errors 5.1% with and 4.5% without on sentences.txt, 22.9% and 23.6% on
  /// prompted.txt leaned (rms and slt voices, with the transform). Off by default.
  bool flat_pass = false;
  /// Decoding a leaned utterance again with the plain model when the leaned reading was refused
  /// (see floor): always, never, or `when_quiet`: only while fewer than `quiet_below`
  /// decoders are in use. The second decode runs after the caller stopped speaking, over the
  /// whole utterance; with many callers speaking at once it would delay every final behind it.
  enum class redecode { always, when_quiet, never };
  redecode second_decode = redecode::when_quiet;
  std::size_t quiet_below = 4;
  /// A general English language model (PocketSphinx's en-us.lm.bin) for a last decode of a turn
  /// that the business's models heard poorly: one extra decoder with the whole dictionary, used
  /// by one turn at a time, under the same `second_decode` rule. The surer reading is kept; a
  /// turn still poor is asked again by the dialog. Empty: no general decode.
  std::string general_lm;
  /// True: loaded in the background when a turn first needs it (that turn goes without);
  /// false: make_pocketsphinx returns with it loaded.
  bool general_in_background = true;
  /// More PocketSphinx options by name, as on its command line ({"-ds", "2"}), after ours.
  std::vector<std::pair<std::string, std::string>> options;
};

/// The transform the build made (bin/../mllr/mllr_matrix beside the running program), or an
/// empty string when there is none.
std::string built_mllr_path();

/// PocketSphinx with a language model built at run time from `phrases`; words missing from
/// the dictionary get Flite's pronunciations.
expected<std::unique_ptr<stt_engine>> make_pocketsphinx(const pocketsphinx_settings& s);

/// A trigram ARPA model (absolute discounting with back-off) from sentences. Pure.
std::string build_arpa(const std::vector<std::string>& sentences);

/// The sentences a recogniser's language model is leaned with for `hint` (yes and no answers,
/// digit strings, spelled letters); empty for anything, names and emails.
const std::vector<std::string>& leaning_phrases(listen_for hint);

/// Lower-case words of a sentence as the recogniser spells them ("two p m", "i'd").
std::vector<std::string> lm_words(const std::string& sentence);

} // namespace frontdesk::speech
