-- Rotated whenever a user's password or role changes; tokens carry it, so older tokens stop working at once.
ALTER TABLE users ADD COLUMN security_stamp uuid NOT NULL DEFAULT gen_random_uuid();
