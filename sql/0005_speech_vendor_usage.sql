-- What each call used of the cloud speech vendors (both 0 on the embedded engines): seconds of
-- caller audio streamed to the recogniser, characters sent to the voice.
ALTER TABLE calls
  ADD COLUMN stt_vendor_seconds    double precision NOT NULL DEFAULT 0
                                   CHECK (stt_vendor_seconds >= 0),
  ADD COLUMN tts_vendor_characters bigint NOT NULL DEFAULT 0 CHECK (tts_vendor_characters >= 0);
