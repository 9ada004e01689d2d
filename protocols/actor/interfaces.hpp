#pragma once

// The typed interface of every actor role in a call, and the atoms they use. A handle of one
// of these types can only be sent what the role accepts: the compiler checks every send and
// every request's reply type. Include this only from actor code (it pulls in CAF).
//
// Who sends what (the supervisor routes; children never talk to each other except speaker →
// media, whose audio does not need the supervisor). The edge runs the VAD on each caller frame
// as it arrives (actors/vad/audio_route.cpp): only turns, barge-ins and the recording's
// blocks become messages.
//
//   edge ──speech_audio──▶ listener ──heard──▶ call            edge ──audio_in──▶ media (recording)
//   edge ──barge, mark_played, dtmf_in, stream_ended──▶ call   media ──speaking, milestone──▶ call
//   call ──turn, interrupt, summary──▶ dialog                  dialog ──reply_text, transfer──▶ call
//   call ──say, clear──▶ speaker ──play──▶ media               speaker ──milestone, spoken──▶ call
//   dialog ──tool_request──▶ calendar (the business's, shared) ──tool_reply──▶ dialog

#include <cstdint>
#include <string>
#include <vector>

#include <caf/atom.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "protocols/actor/messages.hpp"

namespace frontdesk::proto {

// Atoms (at most 10 characters each).
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using barge_atom = caf::atom_constant<caf::atom("barge")>;
using speaking_atom = caf::atom_constant<caf::atom("speaking")>;
using turn_atom = caf::atom_constant<caf::atom("turn")>;
using interrupt_atom = caf::atom_constant<caf::atom("interrupt")>;
using clear_atom = caf::atom_constant<caf::atom("clear")>;
using spoken_atom = caf::atom_constant<caf::atom("spoken")>;
using hangup_atom = caf::atom_constant<caf::atom("hangup")>;
using summary_atom = caf::atom_constant<caf::atom("summary")>;
using expect_atom = caf::atom_constant<caf::atom("expect")>;
using loaded_atom = caf::atom_constant<caf::atom("loaded")>;
using tool_atom = caf::atom_constant<caf::atom("tool")>;
using filler_atom = caf::atom_constant<caf::atom("filler")>;
using transfer_atom = caf::atom_constant<caf::atom("transfer")>;
using engine_atom = caf::atom_constant<caf::atom("engine")>;
using summarized_atom = caf::atom_constant<caf::atom("summarized")>;
using tool_done_atom = caf::atom_constant<caf::atom("tooldone")>;
using vad_failed_atom = caf::atom_constant<caf::atom("vadfailed")>;
using operator_atom = caf::atom_constant<caf::atom("operator")>;

/// What the edge (the Media Stream session) sends a live call.
using call_actor = caf::typed_actor<caf::reacts_to<audio_in>,     // a caller frame
                                    caf::reacts_to<mark_played>,  // Twilio echoed a mark
                                    caf::reacts_to<dtmf_in>,      // a key press
                                    caf::reacts_to<stream_ended>>; // hang-up, stop, error

/// The call's supervisor: owns the call, routes between its children, restarts them.
using supervisor_actor = call_actor::extend<
    caf::reacts_to<speaking_atom, bool>,               // media: our audio started/stopped
    caf::reacts_to<milestone>,                         // speaker/media: reply's first audio
    caf::reacts_to<spoken_atom, std::uint32_t, bool>,  // speaker: utterance done (or cut)
    caf::reacts_to<barge_atom>,                        // edge's VAD: the caller interrupts
    caf::reacts_to<vad_failed_atom, std::string>,      // edge's VAD: replace the listener
    caf::reacts_to<heard>,                             // listener: a caller turn
    caf::reacts_to<reply_text>,                        // dialog: what to say
    caf::reacts_to<transfer_atom, std::string>,        // dialog: hand the caller to a person
    // An operator's console (call_runtime::control): verb, text or number, interrupt; the
    // reply is the result ("done", "not_applicable") and a detail.
    caf::replies_to<operator_atom, std::string, std::string, bool>::with<std::string,
                                                                        std::string>>;

/// Media: paces our audio out to Twilio, tracks marks, clears, taps the recording. In echo
/// mode (transport tests) it is the whole call, so it also takes what a call takes.
using media_actor = call_actor::extend<
    caf::reacts_to<play>,                                          // speaker: audio to send
    caf::reacts_to<tick_atom>,                                     // its own pacing timer
    caf::replies_to<clear_atom>::with<cut>,                        // stop; what was heard
    caf::reacts_to<hangup_atom, std::string>,                      // end the stream
    caf::replies_to<summary_atom>::with<std::vector<std::uint64_t>>>; // frames in/out, marks, clears

/// Listener: recognition of the turns the VAD cut, on the speech pool (whose jobs hand the
/// partial words to the endpointer); it keeps the VAD's endpointer and barge-in judge told
/// whether our audio plays and what the dialog expects.
using listener_actor =
    caf::typed_actor<caf::reacts_to<speech_audio>,                             // a turn's audio
                     caf::reacts_to<speaking_atom, bool>,   // is our audio playing (barge-in)
                     caf::reacts_to<expect_atom, std::int32_t>>; // what the dialog expects next

/// Speaker: synthesis on the speech pool, streamed to media sentence by sentence.
using speaker_actor = caf::typed_actor<caf::reacts_to<say>, caf::reacts_to<clear_atom>>;

/// Dialog: the conversation engine behind a thin shell.
using dialog_actor = caf::typed_actor<
    caf::reacts_to<loaded_atom>,                        // its business is known
    caf::reacts_to<turn_atom, std::string, std::int32_t>, // the caller said this, in so many
                                                        // transcript lines
    caf::reacts_to<turn_atom, std::string, std::vector<std::string>>, // ... and these words of
                                                        // it the recogniser was unsure of
    caf::reacts_to<interrupt_atom, std::string>,        // of our reply the caller heard this
    caf::reacts_to<engine_atom>,                        // a blocking engine answered
    caf::reacts_to<tool_atom>,                          // a tool answered
    caf::reacts_to<filler_atom, std::uint64_t>,         // tools are slow: say the filler
    caf::replies_to<summary_atom>::with<std::vector<std::string>>, // summary, outcome
    caf::reacts_to<summarized_atom, std::vector<std::string>>>;

/// The business's calendar: one per business on a node, shared by all its calls.
using calendar_actor = caf::typed_actor<
    caf::replies_to<tool_request>::with<tool_reply>,
    caf::reacts_to<tool_done_atom, std::uint64_t, tool_reply>>; // its worker finished a tool

} // namespace frontdesk::proto
