-- Cloud speech choices per business: the voice that speaks for it (an OpenAI voice, or a
-- Deepgram Aura voice model) and the recogniser's model and language (Deepgram). NULL: the
-- node's configured default. Names only: letters, digits, '.', '_' and '-'.
ALTER TABLE businesses
  ADD COLUMN tts_voice text CHECK (tts_voice ~ '^[A-Za-z0-9._-]{1,64}$'),
  ADD COLUMN stt_model text CHECK (stt_model ~ '^[A-Za-z0-9._-]{1,64}$'),
  ADD COLUMN stt_language text CHECK (stt_language ~ '^[A-Za-z0-9._-]{1,64}$');
