#pragma once

// The actor protocol: every message type that crosses between a call's actors (and, later,
// between nodes), with its CAF inspect() and type id. Include this only from actor code.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/type_id.hpp>

namespace frontdesk::proto {

/// One inbound 20 ms frame of caller audio (μ-law) with Twilio's stream timestamp.
struct audio_in {
  std::vector<std::uint8_t> mulaw;
  std::uint64_t timestamp_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, audio_in& x) {
  return f(caf::meta::type_name("audio_in"), x.mulaw, x.timestamp_ms);
}

/// Twilio echoed a mark: the audio before it has played.
struct mark_played {
  std::string name;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, mark_played& x) {
  return f(caf::meta::type_name("mark_played"), x.name);
}

/// A key the caller pressed.
struct dtmf_in {
  std::string digit;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, dtmf_in& x) {
  return f(caf::meta::type_name("dtmf_in"), x.digit);
}

/// The media stream ended (Twilio `stop`, socket closed, error, or node shutdown).
struct stream_ended {
  std::string reason;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stream_ended& x) {
  return f(caf::meta::type_name("stream_ended"), x.reason);
}

/// A caller turn's audio as the VAD at the edge cut it, for the recogniser: the turn's start
/// (its pre-roll leads the samples), its audio 100 ms at a time, and its end. Only turns make
/// messages; the silence between them makes none.
struct speech_audio {
  std::uint64_t turn = 0;
  std::vector<std::int16_t> pcm; // 8 kHz linear, in order
  bool started = false;
  bool ended = false;
  std::int32_t speech_ms = 0;     // at the end: the speech heard in the turn
  std::int64_t speech_end_us = 0; // at the end: the caller's last speech frame arrived
  std::int64_t decided_us = 0;    // at the end: the endpointer declared the turn over
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, speech_audio& x) {
  return f(caf::meta::type_name("speech_audio"), x.turn, x.pcm, x.started, x.ended, x.speech_ms,
           x.speech_end_us, x.decided_us);
}

/// The recogniser's result for one caller turn, with when its speech ended (steady µs).
struct heard {
  std::string text;
  double confidence = 0;
  bool rejected = false;
  bool unavailable = false; // no decoder was free: nothing was recognised
  std::int32_t speech_ms = 0;
  std::int64_t speech_end_us = 0; // the caller's last speech frame arrived
  std::int64_t decided_us = 0;    // the endpointer declared the turn over
  std::int64_t final_us = 0;      // the recogniser's final result was ready
  std::string note; // how the turn was heard, when the transcript should say (a failover)
  std::vector<std::string> unsure; // words the recogniser was unsure of, in order
  /// Of decided_us → final_us, the time a remote recogniser had the turn's end (0: none).
  std::int64_t vendor_wait_us = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, heard& x) {
  return f(caf::meta::type_name("heard"), x.text, x.confidence, x.rejected, x.unavailable, x.speech_ms,
           x.speech_end_us, x.decided_us, x.final_us, x.note, x.unsure, x.vendor_wait_us);
}

/// Speak `text` as utterance `utterance`.
struct say {
  std::uint32_t utterance = 0;
  std::string text;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, say& x) {
  return f(caf::meta::type_name("say"), x.utterance, x.text);
}

/// Synthesised audio for the media actor to pace out (μ-law bytes in a string).
struct play {
  std::uint32_t utterance = 0;
  std::string mulaw;
  bool mark_after = false;
  bool last = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, play& x) {
  return f(caf::meta::type_name("play"), x.utterance, x.mulaw, x.mark_after, x.last);
}

/// What a clear cut off: of `utterance`, the caller heard `heard_ms`.
struct cut {
  std::uint32_t utterance = 0;
  std::int32_t heard_ms = 0;
  std::int32_t sent_ms = 0;
  bool was_playing = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cut& x) {
  return f(caf::meta::type_name("cut"), x.utterance, x.heard_ms, x.sent_ms, x.was_playing);
}

/// A point on the reply's path (steady µs): first synthesised audio, or first frame sent.
struct milestone {
  std::uint32_t utterance = 0;
  std::int64_t at_us = 0;
  bool synthesised = false; // true: TTS produced audio; false: the media actor sent a frame
  /// With synthesised: of the synthesis up to this audio, the time a remote vendor had the
  /// request (its first audio not back yet), in µs (0: a synthesiser on this node).
  std::int64_t vendor_wait_us = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, milestone& x) {
  return f(caf::meta::type_name("milestone"), x.utterance, x.at_us, x.synthesised,
           x.vendor_wait_us);
}

/// The dialog's answer to a caller turn (or to the start of the call).
struct reply_text {
  std::string text;
  bool end_call = false;
  std::int32_t expecting = 0;
  /// A sentence of a reply the dialog is still writing: said at once, and more of the same
  /// reply follows (the last part has more = false and carries end_call and expecting).
  bool more = false;
  /// The time the dialog waited on a remote language model since its previous message to the
  /// supervisor, in µs (0: an engine on this node).
  std::int64_t vendor_wait_us = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, reply_text& x) {
  return f(caf::meta::type_name("reply_text"), x.text, x.end_call, x.expecting, x.more,
           x.vendor_wait_us);
}

/// A dialog tool for the business's calendar actor to run (check_slot, book, cancel, ...).
struct tool_request {
  std::string call_id;
  std::string name;
  std::map<std::string, std::string> args;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tool_request& x) {
  return f(caf::meta::type_name("tool_request"), x.call_id, x.name, x.args);
}

/// What a tool did.
struct tool_reply {
  std::string name;
  bool ok = false;
  std::map<std::string, std::string> values;
  std::vector<std::string> options;
  std::vector<std::string> option_values;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tool_reply& x) {
  return f(caf::meta::type_name("tool_reply"), x.name, x.ok, x.values, x.options,
           x.option_values);
}

} // namespace frontdesk::proto

CAF_BEGIN_TYPE_ID_BLOCK(frontdesk, caf::first_custom_type_id)
  CAF_ADD_TYPE_ID(frontdesk, (frontdesk::proto::audio_in))
  CAF_ADD_TYPE_ID(frontdesk, (frontdesk::proto::mark_played))
  CAF_ADD_TYPE_ID(frontdesk, (frontdesk::proto::dtmf_in))
  CAF_ADD_TYPE_ID(frontdesk, (frontdesk::proto::stream_ended))
  CAF_ADD_TYPE_ID(frontdesk, (frontdesk::proto::heard))
  CAF_ADD_TYPE_ID(frontdesk, (frontdesk::proto::say))
  CAF_ADD_TYPE_ID(frontdesk, (frontdesk::proto::play))
  CAF_ADD_TYPE_ID(frontdesk, (frontdesk::proto::cut))
  CAF_ADD_TYPE_ID(frontdesk, (frontdesk::proto::milestone))
  CAF_ADD_TYPE_ID(frontdesk, (frontdesk::proto::reply_text))
  CAF_ADD_TYPE_ID(frontdesk, (std::vector<std::string>))
  CAF_ADD_TYPE_ID(frontdesk, (std::vector<std::uint64_t>))
  CAF_ADD_TYPE_ID(frontdesk, (frontdesk::proto::tool_request))
  CAF_ADD_TYPE_ID(frontdesk, (frontdesk::proto::tool_reply))
  CAF_ADD_TYPE_ID(frontdesk, (frontdesk::proto::speech_audio))
CAF_END_TYPE_ID_BLOCK(frontdesk)
