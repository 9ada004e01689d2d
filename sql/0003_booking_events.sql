-- Booking events for consoles and integrations: every booking, cancellation and move of an
-- appointment is a row here (kept) and a notification on channel 'frontdesk_booking_events'
-- (for whoever listens now), written by the same transaction that changed the appointment.

CREATE TABLE booking_events (
  id             bigserial PRIMARY KEY,
  business_id    uuid NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
  appointment_id uuid NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('booked', 'cancelled', 'rescheduled')),
  starts_at      timestamptz NOT NULL,
  call_id        uuid,
  at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX booking_events_business_at ON booking_events (business_id, at);

ALTER TABLE booking_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON booking_events TO frontdesk_app
  USING (business_id = current_business()) WITH CHECK (business_id = current_business());
GRANT SELECT, INSERT, UPDATE, DELETE ON booking_events TO frontdesk_app;
GRANT USAGE ON SEQUENCE booking_events_id_seq TO frontdesk_app;

CREATE FUNCTION publish_booking_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  k text;
BEGIN
  IF NEW.status = 'booked' AND (TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM 'booked') THEN
    k := CASE WHEN NEW.rescheduled_from IS NOT NULL THEN 'rescheduled' ELSE 'booked' END;
  ELSIF TG_OP = 'UPDATE' AND OLD.status = 'booked' AND NEW.status = 'cancelled' THEN
    k := 'cancelled';
  ELSE
    RETURN NEW;
  END IF;
  INSERT INTO booking_events (business_id, appointment_id, kind, starts_at, call_id)
    VALUES (NEW.business_id, NEW.id, k, lower(NEW.during), NEW.call_id);
  PERFORM pg_notify('frontdesk_booking_events',
                    json_build_object('business_id', NEW.business_id, 'appointment_id', NEW.id,
                                      'kind', k, 'starts_at', lower(NEW.during),
                                      'call_id', NEW.call_id)::text);
  RETURN NEW;
END
$$;

CREATE TRIGGER appointments_publish AFTER INSERT OR UPDATE OF status ON appointments
  FOR EACH ROW EXECUTE FUNCTION publish_booking_event();
