#include "adapters/speech/recorder.hpp"

#include <algorithm>
#include <cstdio>
#include <random>
#include <vector>

#include "protocols/audio/mulaw.hpp"

extern "C" {
#include <ogg/ogg.h>
#include <opus.h>
}

namespace frontdesk::speech {
namespace {

constexpr int rate = 8000;
constexpr int packet_samples = 160;   // 20 ms at 8 kHz: CELT's longest packet
constexpr int to_48k = 48000 / rate;  // granule positions count 48 kHz samples

void put_le(std::vector<unsigned char>& out, std::uint32_t v, int bytes) {
  for (int i = 0; i < bytes; ++i)
    out.push_back(static_cast<unsigned char>(v >> (8 * i)));
}

void put_text(std::vector<unsigned char>& out, const std::string& s) {
  put_le(out, static_cast<std::uint32_t>(s.size()), 4);
  out.insert(out.end(), s.begin(), s.end());
}

} // namespace

struct recorder::impl {
  std::FILE* file = nullptr;
  OpusEncoder* enc = nullptr;
  ogg_stream_state os{};
  bool os_ready = false;
  std::vector<std::int16_t> pending; // fewer than a packet's samples, waiting for more
  std::int64_t packetno = 0;
  std::int64_t encoded = 0;  // 8 kHz samples given to the encoder, padding included
  int lookahead = 0;         // the encoder's delay, 8 kHz samples
  bool failed = false;
  // Digital silence on both legs: once the encoder has had `settle_packets` of it and gives
  // the same packet twice (3 bytes), that packet is written again instead of encoded (11 µs
  // each). Through the silence the decoder gets the very packets full encoding gives; after
  // it the encoder resumes from a settled silent state, with the same quality (recorder_test).
  static constexpr int settle_packets = 10;
  int silent_run = 0;
  bool settled = false;
  std::vector<unsigned char> last_silent;

  ~impl() {
    if (enc)
      opus_encoder_destroy(enc);
    if (os_ready)
      ogg_stream_clear(&os);
    if (file)
      std::fclose(file);
  }

  void packet(const unsigned char* data, long size, std::int64_t granule, bool bos, bool eos) {
    ogg_packet p{};
    p.packet = const_cast<unsigned char*>(data);
    p.bytes = size;
    p.b_o_s = bos;
    p.e_o_s = eos;
    p.granulepos = granule;
    p.packetno = packetno++;
    ogg_stream_packetin(&os, &p);
  }

  // Writes every complete or pending page and pushes it to the disk.
  void flush() {
    ogg_page page;
    while (ogg_stream_flush(&os, &page) != 0) {
      if (std::fwrite(page.header, 1, size_t(page.header_len), file) != size_t(page.header_len) ||
          std::fwrite(page.body, 1, size_t(page.body_len), file) != size_t(page.body_len))
        failed = true;
    }
    if (std::fflush(file) != 0)
      failed = true;
  }

  // Encodes one packet of `packet_samples`; the last one carries the end-trimmed granule.
  void encode(const std::int16_t* pcm, std::int64_t final_granule = -1) {
    bool eos = final_granule >= 0;
    bool silent = std::all_of(pcm, pcm + packet_samples, [](std::int16_t s) { return s == 0; });
    silent_run = silent ? silent_run + 1 : 0;
    if (silent && settled && !eos) {
      encoded += packet_samples;
      packet(last_silent.data(), long(last_silent.size()), encoded * to_48k, false, false);
      return;
    }
    unsigned char out[1500];
    int n = opus_encode(enc, pcm, packet_samples, out, sizeof out);
    if (n < 0) {
      failed = true;
      return;
    }
    settled = silent && silent_run >= settle_packets &&
              std::equal(out, out + n, last_silent.begin(), last_silent.end());
    if (silent)
      last_silent.assign(out, out + n);
    encoded += packet_samples;
    packet(out, n, eos ? final_granule : encoded * to_48k, false, eos);
  }
};

expected<std::unique_ptr<recorder>> recorder::open(const std::string& path,
                                                   const std::string& title) {
  auto m = std::make_unique<impl>();
  m->file = std::fopen(path.c_str(), "wb");
  if (!m->file)
    return fail("recording_failed", "cannot create " + path);
  int err = 0;
  // CELT (the restricted low-delay application) costs 13.5 µs per 20 ms here against 29 µs for
  // SILK at its cheapest: the recording is the biggest per-frame cost of a loaded node.
  m->enc = opus_encoder_create(rate, 1, OPUS_APPLICATION_RESTRICTED_LOWDELAY, &err);
  if (!m->enc)
    return fail("recording_failed", std::string("opus: ") + opus_strerror(err));
  opus_encoder_ctl(m->enc, OPUS_SET_BITRATE(16000));
  opus_encoder_ctl(m->enc, OPUS_SET_COMPLEXITY(0));
  opus_encoder_ctl(m->enc, OPUS_GET_LOOKAHEAD(&m->lookahead));
  std::random_device rd;
  ogg_stream_init(&m->os, static_cast<int>(rd() & 0x7fffffff));
  m->os_ready = true;

  // RFC 7845: the ID header alone on the first page, then the comment header on its own page.
  std::vector<unsigned char> head{'O', 'p', 'u', 's', 'H', 'e', 'a', 'd', 1, 1};
  put_le(head, static_cast<std::uint32_t>(m->lookahead * to_48k), 2); // pre-skip
  put_le(head, rate, 4);                                               // input rate
  put_le(head, 0, 2);                                                  // output gain
  head.push_back(0);                                                   // mapping family
  m->packet(head.data(), long(head.size()), 0, true, false);
  m->flush();
  std::vector<unsigned char> tags{'O', 'p', 'u', 's', 'T', 'a', 'g', 's'};
  put_text(tags, std::string("frontdesk, ") + opus_get_version_string());
  put_le(tags, 1, 4);
  put_text(tags, "TITLE=" + title);
  m->packet(tags.data(), long(tags.size()), 0, false, false);
  m->flush();
  if (m->failed)
    return fail("recording_failed", "cannot write " + path);
  std::unique_ptr<recorder> r(new recorder());
  r->impl_ = std::move(m);
  return r;
}

recorder::~recorder() { close(); }

void recorder::write(std::span<const std::uint8_t> caller, std::span<const std::uint8_t> agent) {
  if (!impl_)
    return;
  auto& m = *impl_;
  std::size_t n = std::max<std::size_t>(audio::frame_samples, std::max(caller.size(), agent.size()));
  for (std::size_t i = 0; i < n; ++i) {
    int s = (i < caller.size() ? audio::mulaw_decode(caller[i]) : 0) +
            (i < agent.size() ? audio::mulaw_decode(agent[i]) : 0);
    m.pending.push_back(static_cast<std::int16_t>(std::clamp(s, -32768, 32767)));
  }
  samples_ += n;
  std::size_t used = 0;
  for (; used + packet_samples <= m.pending.size(); used += packet_samples)
    m.encode(m.pending.data() + used);
  m.pending.erase(m.pending.begin(), m.pending.begin() + long(used));
  if (used > 0)
    m.flush();
}

void recorder::close() {
  if (!impl_)
    return;
  auto& m = *impl_;
  // Pad with silence past the encoder's delay so the last real sample is decoded, and end the
  // stream at exactly the samples written (the decoder trims the padding).
  const std::int64_t needed = static_cast<std::int64_t>(samples_) + m.lookahead;
  for (;;) { // at least one packet: encoded < samples_ + lookahead here
    m.pending.resize(packet_samples, 0);
    bool last = m.encoded + packet_samples >= needed;
    m.encode(m.pending.data(), last ? needed * to_48k : -1);
    m.pending.clear();
    if (last)
      break;
  }
  m.flush();
  impl_.reset();
}

} // namespace frontdesk::speech
