-- Google Calendar two-way sync: connected calendars, the busy mirror, watch channels, and our
-- appointments' events.
--
-- A refresh token is stored only sealed (libsodium secretbox, nonce first) in
-- refresh_token_box; the plain column of 0001 must stay empty. A link is 'active', 'broken'
-- (Google said invalid_grant: no more calls until the owner connects again) or 'disabled'
-- (disconnected). One link per business is the main calendar (our events go there); the
-- others only block time.

ALTER TABLE calendar_links DROP CONSTRAINT calendar_links_status_check;
ALTER TABLE calendar_links ADD CONSTRAINT calendar_links_status_check
  CHECK (status IN ('active', 'needs_consent', 'disabled', 'broken'));
ALTER TABLE calendar_links ADD CONSTRAINT calendar_links_no_plain_token CHECK (refresh_token IS NULL);
ALTER TABLE calendar_links
  ADD COLUMN refresh_token_box    bytea,
  ADD COLUMN busy_only            boolean NOT NULL DEFAULT false,
  ADD COLUMN sync_params          text,        -- the query that produced sync_token (its hash)
  ADD COLUMN channel_token        text,
  ADD COLUMN channel_resource_id  text,
  ADD COLUMN channel_started_at   timestamptz, -- with channel_expires_at: the life Google gave
  ADD COLUMN sync_wanted_at       timestamptz, -- a push asked for a sync (coalesced per calendar)
  ADD COLUMN last_error           text,
  ADD COLUMN broken_at            timestamptz,
  ADD COLUMN created_at           timestamptz NOT NULL DEFAULT now();
-- One main calendar per business.
CREATE UNIQUE INDEX calendar_links_main ON calendar_links (business_id)
  WHERE NOT busy_only AND status <> 'disabled';

-- Per business: what to do when the owner moves or deletes one of our events in Google
-- ('follow': the appointment follows; 'restore': ours is put back and staff are told), and
-- whether invitations the owner declined still block time.
ALTER TABLE businesses
  ADD COLUMN google_policy         text NOT NULL DEFAULT 'follow' CHECK (google_policy IN ('follow', 'restore')),
  ADD COLUMN google_declined_blocks boolean NOT NULL DEFAULT false;

-- Our event for an appointment chain (a move books a new row linked by rescheduled_from; the
-- chain's first row owns the event). The revision changes the event id when Google keeps a
-- deleted id (409 on re-insert).
ALTER TABLE appointments
  ADD COLUMN calendar_revision integer NOT NULL DEFAULT 0;
CREATE INDEX appointments_calendar_event ON appointments (business_id, calendar_event_id)
  WHERE calendar_event_id IS NOT NULL;

-- OAuth consent in flight: the state names the business and a one-time nonce; the PKCE verifier
-- stays here. Taken once, within its life.
CREATE TABLE google_oauth_states (
  state         text PRIMARY KEY,
  business_id   uuid NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
  code_verifier text NOT NULL,
  calendar_id   text NOT NULL DEFAULT 'primary',
  busy_only     boolean NOT NULL DEFAULT false,
  expires_at    timestamptz NOT NULL,
  used_at       timestamptz
);
ALTER TABLE google_oauth_states ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON google_oauth_states TO frontdesk_app
  USING (business_id = current_business()) WITH CHECK (business_id = current_business());
GRANT SELECT, INSERT, UPDATE, DELETE ON google_oauth_states TO frontdesk_app;

-- The callback knows only the state: it is taken (once) across tenants, and names its business.
CREATE FUNCTION google_take_oauth_state(st text, t_now timestamptz)
  RETURNS TABLE (business_id uuid, code_verifier text, calendar_id text, busy_only boolean)
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public
  AS $$
    UPDATE google_oauth_states SET used_at = t_now
     WHERE state = st AND used_at IS NULL AND expires_at > t_now
    RETURNING business_id, code_verifier, calendar_id, busy_only
  $$;
REVOKE ALL ON FUNCTION google_take_oauth_state(text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION google_take_oauth_state(text, timestamptz) TO frontdesk_app;

-- A push notification names only its channel: which link, with the token to compare.
CREATE FUNCTION google_link_for_channel(ch text)
  RETURNS TABLE (business_id uuid, link_id uuid, channel_token text, resource_id text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT business_id, id, channel_token, channel_resource_id FROM calendar_links
         WHERE channel_id = ch AND status = 'active' $$;
REVOKE ALL ON FUNCTION google_link_for_channel(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION google_link_for_channel(text) TO frontdesk_app;

-- The sync loop acts for every business: links that are active, with their business.
CREATE FUNCTION google_active_links()
  RETURNS TABLE (business_id uuid, link_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT business_id, id FROM calendar_links WHERE status = 'active' ORDER BY created_at $$;
REVOKE ALL ON FUNCTION google_active_links() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION google_active_links() TO frontdesk_app;

-- Metrics: every link's status, across businesses, and nothing else.
CREATE FUNCTION google_link_states() RETURNS TABLE (status text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT status FROM calendar_links $$;
REVOKE ALL ON FUNCTION google_link_states() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION google_link_states() TO frontdesk_app;

-- An appointment's chain: its first row (which owns the event), and the chain's live booking.
CREATE FUNCTION appointment_root(a uuid) RETURNS uuid
  LANGUAGE sql STABLE
  AS $$
    WITH RECURSIVE up(id, prev, depth) AS (
      SELECT id, rescheduled_from, 0 FROM appointments WHERE id = a
      UNION ALL
      SELECT x.id, x.rescheduled_from, up.depth + 1 FROM appointments x JOIN up ON x.id = up.prev
       WHERE up.depth < 1000)
    SELECT id FROM up WHERE prev IS NULL LIMIT 1
  $$;

CREATE FUNCTION appointment_chain_live(root uuid) RETURNS uuid
  LANGUAGE sql STABLE
  AS $$
    WITH RECURSIVE down(id, status, depth) AS (
      SELECT id, status, 0 FROM appointments WHERE id = root
      UNION ALL
      SELECT x.id, x.status, down.depth + 1 FROM appointments x JOIN down ON x.rescheduled_from = down.id
       WHERE down.depth < 1000)
    SELECT id FROM down WHERE status = 'booked' ORDER BY depth DESC LIMIT 1
  $$;

-- In the transaction that books, moves or cancels: queues the write of the chain's event when
-- the business has a main calendar connected. Runs as the caller (row-level security applies).
CREATE FUNCTION queue_calendar_event(appt uuid, t_now timestamptz, why text) RETURNS boolean
  LANGUAGE plpgsql VOLATILE
  AS $$
  DECLARE
    b uuid;
  BEGIN
    SELECT business_id INTO b FROM appointments WHERE id = appt;
    IF b IS NULL OR NOT EXISTS (SELECT 1 FROM calendar_links
                                 WHERE business_id = b AND status = 'active' AND NOT busy_only) THEN
      RETURN false;
    END IF;
    INSERT INTO outbox (business_id, kind, payload, dedupe_key, next_attempt_at, created_at)
      VALUES (b, 'gcal.event',
              json_build_object('root_id', appointment_root(appt), 'appointment_id', appt, 'why', why),
              'gcal:' || appt || ':' || why, t_now, t_now)
      ON CONFLICT DO NOTHING;
    RETURN true;
  END
  $$;
