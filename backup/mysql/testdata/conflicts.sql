-- What the restore target holds before the restore: tables of the same
-- names with other columns and foreign keys, a table named like the
-- source's view and a view named like the source's table, and extra
-- views, tables, sequences, routines, triggers and events.
CREATE TABLE authors (id BIGINT PRIMARY KEY, legacy_name TEXT) ENGINE=InnoDB;
INSERT INTO authors VALUES (1, 'old'), (999, 'stale');
CREATE TABLE books (id INT PRIMARY KEY, author_id BIGINT, FOREIGN KEY (author_id) REFERENCES authors (id)) ENGINE=InnoDB;
INSERT INTO books VALUES (1, 1);
CREATE TABLE stale_orders (id INT PRIMARY KEY, author_id BIGINT,
  CONSTRAINT stale_fk FOREIGN KEY (author_id) REFERENCES authors (id)) ENGINE=InnoDB;
INSERT INTO stale_orders VALUES (1, 999);
CREATE TABLE author_stats (x INT);
CREATE VIEW audit_log AS SELECT 1 AS id;
CREATE VIEW stale_view AS SELECT * FROM stale_orders;
CREATE SEQUENCE stale_seq;
CREATE SEQUENCE invoice_seq START WITH 1;
CREATE FUNCTION shout(s TEXT) RETURNS TEXT DETERMINISTIC RETURN s;
CREATE FUNCTION stale_fn() RETURNS INT RETURN 1;
CREATE PROCEDURE stale_proc() SELECT 1;
CREATE PROCEDURE add_book() SELECT 'old';
CREATE TRIGGER stale_trigger BEFORE INSERT ON stale_orders FOR EACH ROW SET NEW.id = NEW.id + 1;
CREATE EVENT stale_event ON SCHEDULE EVERY 1 HOUR DISABLE DO DELETE FROM stale_orders;
CREATE EVENT purge_audit ON SCHEDULE EVERY 1 WEEK DISABLE DO SELECT 1;
