-- The database that is dumped: foreign keys, a generated column, a table
-- without a primary key, a view, a sequence, triggers, a function, a
-- procedure, an event, utf8mb4 text (emoji included) and random binary
-- data.
CREATE TABLE authors (
  id INT AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  bio TEXT,
  UNIQUE KEY authors_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE books (
  id INT AUTO_INCREMENT PRIMARY KEY,
  author_id INT NOT NULL,
  title VARCHAR(300) NOT NULL,
  title_length INT AS (CHAR_LENGTH(title)) VIRTUAL,
  cover MEDIUMBLOB,
  digest BINARY(16),
  price DECIMAL(10,2),
  published DATE,
  created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  CONSTRAINT books_author_fk FOREIGN KEY (author_id) REFERENCES authors (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE audit_log (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  book_id INT NOT NULL,
  action VARCHAR(20) NOT NULL,
  invoice BIGINT NOT NULL
) ENGINE=InnoDB;

CREATE TABLE tags (book_id INT, tag VARCHAR(50)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE SEQUENCE invoice_seq START WITH 1000 INCREMENT BY 5;

CREATE VIEW author_stats AS
  SELECT a.id, a.name, COUNT(b.id) AS books, COALESCE(SUM(b.price), 0) AS total
  FROM authors a LEFT JOIN books b ON b.author_id = a.id GROUP BY a.id, a.name;

CREATE FUNCTION shout(s VARCHAR(300)) RETURNS VARCHAR(310) DETERMINISTIC RETURN CONCAT(UPPER(s), '!');

DELIMITER //
CREATE TRIGGER books_after_insert AFTER INSERT ON books FOR EACH ROW
BEGIN
  INSERT INTO audit_log (book_id, action, invoice) VALUES (NEW.id, 'insert', NEXT VALUE FOR invoice_seq);
END//
CREATE TRIGGER books_before_update BEFORE UPDATE ON books FOR EACH ROW
BEGIN
  IF NEW.price < 0 THEN
    SET NEW.price = 0;
  END IF;
END//
CREATE PROCEDURE add_book(IN p_author INT, IN p_title VARCHAR(300))
BEGIN
  INSERT INTO books (author_id, title, price, published) VALUES (p_author, p_title, 9.99, '2024-02-29');
  SELECT shout(p_title);
END//
DELIMITER ;

CREATE EVENT purge_audit ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' DISABLE
  COMMENT 'keeps audit_log small'
  DO DELETE FROM audit_log WHERE id < 0;

INSERT INTO authors (name, bio) VALUES
  ('Zoë Ñandú', 'Émigré — naïve café ☕'),
  ('東野 圭吾', '日本の作家 📚'),
  ('Quote '' and back\\slash', CONCAT('tab', CHAR(9), 'newline', CHAR(10), 'nul', CHAR(0), 'end')),
  ('Emoji 👩‍💻🎉🏳️‍🌈', NULL);
INSERT INTO authors (name, bio) SELECT CONCAT('author ', seq), REPEAT('ü', seq % 50) FROM seq_1_to_300;

INSERT INTO books (author_id, title, cover, digest, price, published)
  SELECT 1 + seq % 304, CONCAT('Book ', seq, ' — ', IF(seq % 3 = 0, '🎉', 'ß')),
         IF(seq % 10 = 0, NULL, CONCAT(RANDOM_BYTES(1024), RANDOM_BYTES(1 + seq % 1000))),
         RANDOM_BYTES(16), seq / 7, DATE '2000-01-01' + INTERVAL seq DAY
  FROM seq_1_to_2000;
UPDATE books SET cover = (SELECT GROUP_CONCAT(CHAR(seq) ORDER BY seq SEPARATOR '') FROM seq_0_to_255) WHERE id = 1;
UPDATE books SET price = -1 WHERE id = 2;
CALL add_book(2, 'Procedure book 🧪');

INSERT INTO tags SELECT 1 + seq % 2000, CONCAT('tag-', seq % 17) FROM seq_1_to_3000;
INSERT INTO tags VALUES (NULL, NULL), (1, 'dup'), (1, 'dup');
