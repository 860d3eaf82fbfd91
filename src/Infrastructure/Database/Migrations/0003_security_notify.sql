-- Every instance caches users' security stamps and roles, and LISTENs on user_security to forget a user the moment
-- it is deleted or its stamp or role changes (src/Infrastructure/Security/StampListener.cs). The notification is delivered at
-- commit, and only to sessions listening then.
CREATE FUNCTION users_notify_security() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM pg_notify('user_security', '*');
    ELSE
        PERFORM pg_notify('user_security', OLD.id::text);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER users_security_changed
    AFTER UPDATE OF security_stamp, role, id ON users
    FOR EACH ROW
    WHEN (OLD.security_stamp IS DISTINCT FROM NEW.security_stamp OR OLD.role IS DISTINCT FROM NEW.role OR OLD.id IS DISTINCT FROM NEW.id)
    EXECUTE FUNCTION users_notify_security();

CREATE TRIGGER users_deleted
    AFTER DELETE ON users
    FOR EACH ROW
    EXECUTE FUNCTION users_notify_security();

CREATE TRIGGER users_truncated
    AFTER TRUNCATE ON users
    FOR EACH STATEMENT
    EXECUTE FUNCTION users_notify_security();
