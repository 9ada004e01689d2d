#include "actors/speaker/speaker.hpp"

#include <atomic>
#include <memory>
#include <span>
#include <vector>

#include <caf/all.hpp>

#include "actors/call/shell.hpp"
#include "actors/speaker/sentences.hpp"
#include "adapters/speech/speech.hpp"
#include "protocols/core/vendor_wait.hpp"

namespace frontdesk::call {
namespace {

using namespace proto;

using speaker_self = speaker_actor::stateful_pointer<struct speaker_state>;

struct speaker_state {
  speaker_state() = default;
  supervisor_actor supervisor;
  media_actor media;
  call_services* services = nullptr;
  std::shared_ptr<serial_queue> queue;
  std::shared_ptr<std::atomic<bool>> cancel;
  std::uint32_t utterance = 0; // the one `cancel` belongs to
  // Its first audio has been synthesised (a streamed reply comes in several `say`s).
  std::shared_ptr<std::atomic<bool>> first_done;
};

speaker_actor::behavior_type speaker_fn(speaker_self self, supervisor_actor supervisor,
                                        media_actor media, call_services* services,
                                        std::string call_sid, std::string call_id,
                                        std::string voice) {
  auto& s = self->state;
  log_failures(self, call_sid, "speaker");
  s.supervisor = std::move(supervisor);
  s.media = std::move(media);
  s.services = services;
  if (services->speech_blocks)
    s.queue = std::make_shared<serial_queue>(*services->speech_pool);
  return {
      [=](say& sy) {
        auto& st = self->state;
        if (st.cancel && sy.utterance == st.utterance) {
          // More of the utterance being said (a reply streamed sentence by sentence): it
          // follows in order, unless the utterance was cut.
          if (*st.cancel)
            return;
        } else {
          if (st.cancel)
            *st.cancel = true;
          st.cancel = std::make_shared<std::atomic<bool>>(false);
          st.first_done = std::make_shared<std::atomic<bool>>(false);
          st.utterance = sy.utterance;
        }
        // A reply the caller waits for: ahead of other calls' partial decoding.
        run_speech_first(st.queue, [tts = st.services->tts, media = st.media,
                                    sup = st.supervisor, cancel = st.cancel,
                                    first_done = st.first_done, utt = sy.utterance,
                                    parts = speaker::sentences(sy.text), svc = st.services,
                                    call_id, voice] {
          std::string pending;
          vendor_wait::reset(); // this thread's earlier work is not this reply's
          for (std::size_t i = 0; i < parts.size() && !*cancel; ++i) {
            if (svc->on_synthesised)
              svc->on_synthesised(call_id, parts[i].size());
            tts->synthesize_voice(
                parts[i], voice,
                [&](std::span<const std::uint8_t> chunk) {
                  if (!first_done->exchange(true))
                    caf::anon_send(sup, milestone{utt, now_us(), true, vendor_wait::take_us()});
                  pending.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
                  if (pending.size() >= 800) { // 100 ms per message to the media actor
                    caf::anon_send(media, play{utt, std::move(pending), false, false});
                    pending.clear();
                  }
                  return !*cancel;
                },
                *cancel);
            if (*cancel)
              break;
            caf::anon_send(media, play{utt, std::move(pending), true, i + 1 == parts.size()});
            pending.clear();
          }
          caf::anon_send(sup, spoken_atom::value, utt, !*cancel);
        });
      },
      [=](clear_atom) {
        auto& st = self->state;
        if (st.cancel)
          *st.cancel = true;
      },
  };
}

} // namespace

proto::speaker_actor spawn_speaker(caf::local_actor* parent, proto::supervisor_actor supervisor,
                                   proto::media_actor media, call_services* services,
                                   std::string call_sid, std::string call_id, std::string voice) {
  return parent->spawn<caf::monitored>(speaker_fn, std::move(supervisor), std::move(media),
                                       services, std::move(call_sid), std::move(call_id),
                                       std::move(voice));
}

} // namespace frontdesk::call
