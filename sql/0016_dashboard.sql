-- The dashboard: staff tasks (who marked one done, and a live event when one is added or
-- changes, so every open dashboard of the business shows it within a second, as calls and
-- appointments do), and services with their own lengths (at the end).

ALTER TABLE staff_tasks ADD COLUMN done_by uuid REFERENCES staff_users(id) ON DELETE SET NULL;

-- Open tasks are what the dashboard lists first.
CREATE INDEX staff_tasks_open ON staff_tasks (business_id, created_at) WHERE done_at IS NULL;

ALTER TABLE live_events DROP CONSTRAINT live_events_kind_check;
ALTER TABLE live_events ADD CONSTRAINT live_events_kind_check
  CHECK (kind IN ('call', 'appointment', 'task'));

CREATE FUNCTION live_task_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.done_at IS NOT DISTINCT FROM NEW.done_at
     AND OLD.note = NEW.note THEN
    RETURN NEW;
  END IF;
  PERFORM publish_live_event(NEW.business_id, 'task', jsonb_build_object(
    'id', NEW.id, 'kind', NEW.kind, 'phone', NEW.phone, 'appointment_id', NEW.appointment_id,
    'note', left(NEW.note, 500), 'created_at', NEW.created_at, 'done_at', NEW.done_at));
  RETURN NEW;
END
$$;
CREATE TRIGGER staff_tasks_live AFTER INSERT OR UPDATE ON staff_tasks
  FOR EACH ROW EXECUTE FUNCTION live_task_event();

-- Services the business offers, each with its own length: a booking for a service takes that
-- many minutes (else the business's appointment_minutes).
CREATE TABLE services (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  business_id uuid NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  minutes     integer NOT NULL CHECK (minutes BETWEEN 5 AND 1440),
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX services_name ON services (business_id, lower(name));
ALTER TABLE services ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON services TO frontdesk_app
  USING (business_id = current_business()) WITH CHECK (business_id = current_business());
GRANT SELECT, INSERT, UPDATE, DELETE ON services TO frontdesk_app;
