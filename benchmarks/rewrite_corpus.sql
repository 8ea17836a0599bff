-- pgready rewrite corpus: MySQL statements of the kind real applications send.
-- One statement per line (a statement may span lines; it ends with `;`).
-- `?` and `%s` are driver placeholders. Sections group the constructs; the last
-- sections are plain portable SQL that must come through unchanged.

-- section: upserts (ON DUPLICATE KEY UPDATE)
INSERT INTO guild_settings (guild_id, setting_key, value) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE value = VALUES(value);
INSERT INTO user_guilds (user_id, guild_id, role) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE role = VALUES(role), updated_at = NOW();
INSERT INTO stats (user_id, guild_id, stat_type, value) VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE value = value + VALUES(value);
INSERT INTO `page_views` (`path`, `day`, `hits`) VALUES (?, CURDATE(), 1) ON DUPLICATE KEY UPDATE `hits` = `hits` + 1;
INSERT INTO sessions (id, user_id, expires_at) VALUES (?, ?, DATE_ADD(NOW(), INTERVAL 7 DAY)) ON DUPLICATE KEY UPDATE expires_at = VALUES(expires_at);
INSERT INTO inventory (sku, qty) VALUES ('A-100', 5), ('B-200', 3) ON DUPLICATE KEY UPDATE qty = qty + VALUES(qty);
INSERT INTO user_preferences (user_id, theme, locale) VALUES (%s, %s, %s) ON DUPLICATE KEY UPDATE theme = VALUES(theme), locale = VALUES(locale);
INSERT INTO counters (name, n) VALUES ('signups', 1) ON DUPLICATE KEY UPDATE n = n + 1;
INSERT INTO guild_feature_flags (guild_id, flag, enabled) VALUES (?, ?, 1) ON DUPLICATE KEY UPDATE enabled = 1;
INSERT INTO rate_limits (`key`, hits, window_start) VALUES (?, 1, NOW()) ON DUPLICATE KEY UPDATE hits = IF(window_start < NOW() - INTERVAL 1 MINUTE, 1, hits + 1);
INSERT INTO tags (name) VALUES (?) ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id);
INSERT INTO club_metrics (analysis_id, metric, value) VALUES (?, ?, ?) AS new ON DUPLICATE KEY UPDATE value = new.value;

-- section: INSERT IGNORE and REPLACE
INSERT IGNORE INTO user_guilds (user_id, guild_id, role, joined_at) VALUES (?, ?, ?, NOW());
INSERT IGNORE INTO screenshot_tags (analysis_id, tag) VALUES (?, ?);
INSERT IGNORE INTO `followers` (`user_id`, `follower_id`) VALUES (%s, %s);
INSERT IGNORE INTO newsletter_subscribers (email, created_at) VALUES (?, NOW());
INSERT IGNORE INTO audit_logs_archive SELECT * FROM audit_logs WHERE created_at < ?;
REPLACE INTO stats_cache (guild_id, payload, computed_at) VALUES (?, ?, NOW());
REPLACE INTO stats_cache (guild_id, cache_key, payload, cached_at) VALUES (%s, %s, %s, UNIX_TIMESTAMP());
REPLACE INTO `settings` (`name`, `value`) VALUES ('maintenance', '0');
REPLACE INTO user_tokens (user_id, token, expires_at) VALUES (?, ?, DATE_ADD(NOW(), INTERVAL 1 HOUR));
REPLACE INTO kv_store SET k = ?, v = ?;
INSERT INTO audit_logs SET guild_id = ?, actor_id = ?, action = ?, created_at = NOW();

-- section: LIMIT offset, count
SELECT * FROM users ORDER BY id LIMIT 20, 10;
SELECT id, title FROM conversations WHERE user_id = ? ORDER BY updated_at DESC LIMIT ?, ?;
SELECT id, content FROM chat_messages WHERE conversation_id = ? ORDER BY id LIMIT 0, 50;
SELECT `id`, `name` FROM `products` WHERE `category_id` = ? LIMIT 40, 20;
SELECT SQL_CALC_FOUND_ROWS id, name FROM guilds WHERE name LIKE ? LIMIT ?, ?;
SELECT FOUND_ROWS() AS total;
SELECT p.id, p.title FROM posts p JOIN users u ON u.id = p.author_id WHERE u.active = 1 ORDER BY p.created_at DESC LIMIT 10, 10;
SELECT * FROM orders WHERE status = 'paid' ORDER BY created_at DESC LIMIT 100, 25;

-- section: UPDATE / DELETE with LIMIT or ORDER BY
UPDATE sessions SET revoked_at = NOW() WHERE user_id = ? AND revoked_at IS NULL ORDER BY created_at ASC LIMIT ?;
DELETE FROM audit_logs WHERE created_at < NOW() - INTERVAL 90 DAY ORDER BY id LIMIT 5000;
DELETE FROM users WHERE id = %s LIMIT 1;
DELETE FROM chat_messages WHERE conversation_id = ? ORDER BY created_at ASC LIMIT ?;
UPDATE jobs SET locked_by = ?, locked_at = NOW() WHERE locked_by IS NULL ORDER BY priority DESC LIMIT 1;
UPDATE `users` SET `email_verified` = 1 WHERE `email` = ? LIMIT 1;
DELETE FROM shop_cartitem WHERE cart_id NOT IN (SELECT id FROM shop_cart) LIMIT 10000;
UPDATE notifications SET seen = 1 WHERE user_id = ? LIMIT 100;
DELETE LOW_PRIORITY FROM cache_entries WHERE expires_at < NOW();
UPDATE IGNORE users SET email = LOWER(email);

-- section: multi-table UPDATE and DELETE
UPDATE stats s JOIN users u ON u.id = s.user_id SET s.user_id = ? WHERE u.id = ?;
DELETE ug FROM user_guilds ug JOIN users u ON u.id = ug.user_id WHERE u.id = ?;
DELETE a FROM audit_logs a JOIN archive_ids x ON x.id = a.id;
DELETE l FROM audit_logs l JOIN guilds g ON g.id = l.guild_id WHERE g.deleted_at IS NOT NULL;
UPDATE orders o INNER JOIN customers c ON c.id = o.customer_id SET o.region = c.region WHERE o.region IS NULL;
UPDATE products p, categories c SET p.category_name = c.name WHERE p.category_id = c.id;
DELETE t FROM sessions t LEFT JOIN users u ON u.id = t.user_id WHERE u.id IS NULL;
UPDATE `posts` `p` JOIN `users` `u` ON `u`.`id` = `p`.`author_id` SET `p`.`author_name` = `u`.`name`;
DELETE s, t FROM screenshots s JOIN screenshot_tags t ON t.screenshot_id = s.id WHERE s.id = ?;

-- section: IF, IFNULL, ISNULL and conditional functions
SELECT IF(active, 'yes', 'no') AS active_label FROM users;
SELECT id, IFNULL(nickname, username) AS display_name FROM users WHERE id = ?;
SELECT IFNULL(SUM(amount), 0) AS total FROM payments WHERE user_id = ?;
SELECT id, IF(deleted_at IS NULL, 0, 1) AS is_deleted FROM guilds;
SELECT COUNT(IF(status = 'paid', 1, NULL)) AS paid, COUNT(*) AS total FROM orders;
SELECT SUM(IF(type = 'credit', amount, -amount)) AS balance FROM ledger WHERE account_id = ?;
SELECT * FROM users WHERE ISNULL(email);
SELECT id, IFNULL(u.locale, 'en') AS locale FROM users u;
SELECT u.id, IF(u.role = 'admin', 1, 0) AS is_admin, IFNULL(g.name, '') AS guild FROM users u LEFT JOIN guilds g ON g.owner_id = u.id;
SELECT name, IF(LENGTH(bio) > 100, CONCAT(LEFT(bio, 100), '...'), bio) AS short_bio FROM profiles;

-- section: GROUP_CONCAT and aggregates
SELECT user_id, GROUP_CONCAT(role) AS roles FROM user_guilds GROUP BY user_id;
SELECT post_id, GROUP_CONCAT(tag ORDER BY tag SEPARATOR ', ') AS tags FROM post_tags GROUP BY post_id;
SELECT g.id, GROUP_CONCAT(DISTINCT u.username SEPARATOR ';') AS members FROM guilds g JOIN user_guilds ug ON ug.guild_id = g.id JOIN users u ON u.id = ug.user_id GROUP BY g.id;
SELECT order_id, GROUP_CONCAT(sku) FROM order_items WHERE order_id IN (?, ?, ?) GROUP BY order_id;
SELECT category_id, ANY_VALUE(name) AS sample FROM products GROUP BY category_id;

-- section: dates and times
SELECT DATE_FORMAT(created_at, '%Y-%m-%d') AS day, COUNT(*) AS n FROM orders GROUP BY day;
SELECT DATE_FORMAT(created_at, '%Y-%m') AS month, SUM(total) FROM orders GROUP BY month ORDER BY month;
SELECT id FROM sessions WHERE expires_at < NOW();
SELECT * FROM events WHERE starts_at BETWEEN CURDATE() AND DATE_ADD(CURDATE(), INTERVAL 7 DAY);
UPDATE plans SET updated_at = NOW() WHERE id = ?;
UPDATE sessions SET last_seen_at = NOW(), expires_at = DATE_ADD(NOW(), INTERVAL 7 DAY) WHERE id = ?;
SELECT UNIX_TIMESTAMP() AS now_ts;
SELECT id, UNIX_TIMESTAMP(created_at) AS ts FROM messages WHERE channel_id = ?;
SELECT * FROM logs WHERE created_at > FROM_UNIXTIME(?);
SELECT DATE_SUB(NOW(), INTERVAL 30 DAY) AS since;
DELETE FROM password_resets WHERE created_at < DATE_SUB(NOW(), INTERVAL 1 DAY);
SELECT COUNT(*) FROM users WHERE DATE(created_at) = CURDATE();
SELECT DATEDIFF(NOW(), created_at) AS age_days FROM accounts WHERE id = ?;
SELECT YEAR(created_at) AS y, MONTH(created_at) AS m, COUNT(*) FROM orders GROUP BY y, m;
SELECT CURTIME() AS t;
SELECT * FROM reminders WHERE remind_at <= NOW() + INTERVAL 5 MINUTE;
SELECT STR_TO_DATE(?, '%d/%m/%Y') AS d;
SELECT LAST_DAY(CURDATE()) AS month_end;
SELECT TIMESTAMPDIFF(SECOND, started_at, finished_at) AS secs FROM jobs WHERE id = ?;
SELECT DAYOFWEEK(created_at) AS dow, COUNT(*) FROM orders GROUP BY dow;
SELECT SYSDATE();
UPDATE users SET last_login = NOW() WHERE id = ?;
SELECT id FROM trials WHERE ends_at < CURRENT_TIMESTAMP;

-- section: strings and other MySQL functions
UPDATE users SET email = NULL, avatar = NULL, username = CONCAT('deleted-', id) WHERE id = ?;
SELECT c.id, c.title FROM conversations c WHERE c.user_id = ? AND c.title LIKE CONCAT('%', ?, '%');
SELECT CONCAT(first_name, ' ', last_name) AS full_name FROM customers;
SELECT SUBSTRING_INDEX(email, '@', -1) AS domain, COUNT(*) FROM users GROUP BY domain;
SELECT LCASE(username) FROM users;
SELECT UCASE(code) FROM coupons WHERE id = ?;
SELECT * FROM products WHERE FIND_IN_SET(?, tags);
SELECT * FROM tasks ORDER BY FIELD(status, 'open', 'in_progress', 'done');
SELECT LOCATE('@', email) FROM users;
SELECT INSTR(name, ?) FROM products;
SELECT MD5(CONCAT(?, salt)) = password_hash AS ok FROM users WHERE email = ?;
SELECT SHA1(token) FROM api_keys;
SELECT UUID() AS id;
SELECT * FROM quotes ORDER BY RAND() LIMIT 1;
SELECT FORMAT(price, 2) FROM products;
SELECT TRUNCATE(amount, 2) FROM payments;
SELECT HEX(id), UNHEX(?) FROM blobs;
SELECT INET_ATON(?) AS ip;
SELECT LAST_INSERT_ID() AS id;
SELECT DATABASE();
SELECT ROW_COUNT();
SELECT id FROM articles WHERE MATCH(title, body) AGAINST (? IN BOOLEAN MODE);
SELECT JSON_EXTRACT(details, '$.reason') AS reason FROM audit_logs WHERE id = ?;
SELECT details->>'$.target' AS target FROM audit_logs WHERE action = ?;
UPDATE assessments SET score = JSON_EXTRACT(result, ?) WHERE id = ?;
SELECT JSON_UNQUOTE(JSON_EXTRACT(meta, '$.name')) FROM items;
SELECT JSON_OBJECT('id', id, 'name', name) FROM users;
SELECT * FROM users WHERE JSON_CONTAINS(roles, '"admin"');
SELECT SPACE(4);

-- section: backticks, identifiers and string literals
SELECT `id`, `name` FROM `users` WHERE `id` = ?;
SELECT `userId`, `createdAt` FROM `Sessions` WHERE `userId` = ?;
SELECT `order`, `group` FROM `line_items`;
SELECT u.`id`, u.`displayName` FROM `users` AS u WHERE u.`isActive` = 1;
INSERT INTO `ChatMessage` (`conversationId`, `role`, `content`) VALUES (?, ?, ?);
UPDATE `UserSession` SET `revokedAt` = NOW() WHERE `userId` = ?;
SELECT * FROM users WHERE name = "bob";
SELECT * FROM guilds WHERE status = "active" AND region = "eu";
SELECT "it's" AS s;
SELECT 'O\'Brien' AS name;
SELECT * FROM files WHERE path LIKE 'C:\\temp\\%';
INSERT INTO notes (body) VALUES ("line one\nline two");
SELECT * FROM users WHERE username = 'admin' # legacy comment
;
SELECT `key`, `value` FROM `config` WHERE `key` IN ('a', 'b');
SELECT * FROM `db_main`.`users` WHERE `id` = 1;

-- section: locking and transactions
SELECT * FROM accounts WHERE id = ? FOR UPDATE;
SELECT * FROM accounts WHERE id = ? LOCK IN SHARE MODE;
LOCK TABLES users WRITE;
UNLOCK TABLES;
SET autocommit = 0;
START TRANSACTION;
COMMIT;
ROLLBACK;
SET NAMES utf8mb4;
SET FOREIGN_KEY_CHECKS = 0;
SHOW TABLES;
SELECT id, image_url FROM screenshot_analyses FORCE INDEX (idx_analyses_status) WHERE status = 'pending';
SELECT * FROM orders USE INDEX (idx_created) WHERE created_at > ?;
SELECT STRAIGHT_JOIN a.id FROM a JOIN b ON b.a_id = a.id;

-- section: DDL
CREATE TABLE users (id INT UNSIGNED NOT NULL AUTO_INCREMENT, email VARCHAR(255) NOT NULL, created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, PRIMARY KEY (id), UNIQUE KEY uq_email (email)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE `sessions` (`id` CHAR(36) NOT NULL, `user_id` INT UNSIGNED NOT NULL, `data` TEXT, `expires_at` DATETIME NOT NULL, PRIMARY KEY (`id`), KEY `idx_user` (`user_id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE IF NOT EXISTS audit_logs (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, action VARCHAR(64) NOT NULL, details JSON, created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP) ENGINE=InnoDB;
CREATE TABLE settings (name VARCHAR(64) NOT NULL PRIMARY KEY, value TEXT, is_public TINYINT(1) NOT NULL DEFAULT 0) ENGINE=MyISAM;
CREATE TABLE products (id INT(11) NOT NULL AUTO_INCREMENT, price DECIMAL(10,2) UNSIGNED NOT NULL, status ENUM('draft','live') NOT NULL DEFAULT 'draft', PRIMARY KEY (id)) AUTO_INCREMENT=1000;
CREATE TABLE chat_messages (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT, content MEDIUMTEXT, tokens SMALLINT UNSIGNED DEFAULT NULL, PRIMARY KEY (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE counters (name VARCHAR(32) NOT NULL, n INT NOT NULL DEFAULT 0, PRIMARY KEY (name));
CREATE TABLE tags (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64) NOT NULL COMMENT 'lowercase', UNIQUE KEY (name)) COMMENT='free tags';
CREATE TABLE blobs (id INT NOT NULL, payload LONGBLOB, thumb BLOB, PRIMARY KEY (id));
CREATE TABLE metrics (id INT NOT NULL, value DOUBLE(8,3), flag BIT(1), PRIMARY KEY (id));
ALTER TABLE users MODIFY email VARCHAR(320) NOT NULL;
ALTER TABLE users MODIFY COLUMN nickname VARCHAR(64) NULL;
ALTER TABLE `orders` MODIFY `total` DECIMAL(12,2) NOT NULL DEFAULT 0;
ALTER TABLE users CHANGE COLUMN name full_name VARCHAR(128) NOT NULL;
ALTER TABLE users ADD COLUMN locale VARCHAR(8) NOT NULL DEFAULT 'en' AFTER email;
ALTER TABLE users ADD COLUMN deleted_at DATETIME NULL;
ALTER TABLE orders ADD INDEX idx_customer (customer_id);
ALTER TABLE users ENGINE=InnoDB;
CREATE INDEX idx_users_email ON users (email);
CREATE INDEX idx_title ON posts (title(50));
RENAME TABLE old_users TO users_archive;
TRUNCATE TABLE sessions;
DROP TABLE IF EXISTS `tmp_import`;
CREATE TABLE users_copy LIKE users;

-- section: portable reads
SELECT id, email FROM users WHERE id = ?;
SELECT COUNT(*) AS n FROM guilds WHERE deleted_at IS NULL;
SELECT COUNT(*) AS n FROM users WHERE deleted_at IS NULL;
SELECT 1 AS ok;
SELECT action, guild_id, details, created_at FROM audit_logs WHERE actor_id = ? ORDER BY created_at DESC LIMIT 50;
SELECT id, role, content, created_at FROM chat_messages WHERE id = ?;
SELECT id, name, icon FROM guilds WHERE name = %s;
SELECT u.id, u.email FROM users u JOIN orders o ON o.user_id = u.id WHERE o.total > 100;
SELECT o.id, SUM(i.qty * i.price) AS total FROM orders o JOIN order_items i ON i.order_id = o.id GROUP BY o.id HAVING SUM(i.qty * i.price) > 50;
SELECT * FROM products WHERE category_id IN (1, 2, 3) ORDER BY price ASC;
SELECT DISTINCT country FROM customers ORDER BY country;
SELECT id FROM users WHERE email LIKE '%@example.com';
SELECT COALESCE(nickname, username) AS name FROM users;
SELECT id, CASE WHEN score >= 90 THEN 'A' WHEN score >= 80 THEN 'B' ELSE 'C' END AS grade FROM results;
SELECT MAX(created_at) AS last FROM orders WHERE customer_id = ?;
SELECT AVG(rating) FROM reviews WHERE product_id = ?;
SELECT id FROM posts WHERE published = TRUE ORDER BY id DESC LIMIT 10;
SELECT id, title FROM posts ORDER BY id LIMIT 10 OFFSET 20;
SELECT * FROM users WHERE id NOT IN (SELECT user_id FROM bans);
SELECT u.id FROM users u WHERE EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id);
SELECT c.name, COUNT(o.id) FROM customers c LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.name;
SELECT id FROM a UNION SELECT id FROM b;
SELECT id FROM a UNION ALL SELECT id FROM b ORDER BY id;
WITH recent AS (SELECT * FROM orders WHERE created_at > ?) SELECT customer_id, COUNT(*) FROM recent GROUP BY customer_id;
SELECT id, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY created_at) AS rn FROM events;
SELECT LOWER(email), UPPER(code) FROM users;
SELECT TRIM(name), LENGTH(name) FROM tags;
SELECT REPLACE(title, 'foo', 'bar') FROM posts;
SELECT ABS(balance), ROUND(balance, 2) FROM accounts;
SELECT CAST(price AS DECIMAL(10,2)) FROM products;
SELECT id FROM users WHERE created_at >= ? AND created_at < ?;
SELECT * FROM guilds WHERE owner_id = ? AND left_at IS NULL ORDER BY name;
SELECT NULLIF(discount, 0) FROM orders;
SELECT id FROM items WHERE price BETWEEN 10 AND 20;
SELECT id, name FROM categories WHERE parent_id IS NULL ORDER BY position;
SELECT p.id, p.name, c.name AS category FROM products p LEFT JOIN categories c ON c.id = p.category_id WHERE p.active = TRUE;
SELECT user_id, COUNT(*) AS n FROM sessions GROUP BY user_id HAVING COUNT(*) > 5;
SELECT id FROM orders WHERE status IN ('new', 'paid') AND total >= ?;
SELECT MIN(price), MAX(price) FROM products WHERE category_id = ?;
SELECT id, email FROM users WHERE email = ? AND deleted_at IS NULL;
SELECT o.id FROM orders o WHERE o.customer_id = ? ORDER BY o.created_at DESC LIMIT 20 OFFSET 40;
SELECT s.id, s.user_id FROM sessions s WHERE s.expires_at > CURRENT_TIMESTAMP;

-- section: portable writes
INSERT INTO chat_messages (conversation_id, user_id, role, content, tokens) VALUES (?, ?, ?, ?, ?);
INSERT INTO screenshot_tags (analysis_id, tag, confidence) VALUES (?, ?, ?);
INSERT INTO audit_logs (guild_id, actor_id, action, details) VALUES (NULL, ?, ?, ?);
INSERT INTO stats (user_id, guild_id, stat_type, value) VALUES (%s, %s, %s, %s);
INSERT INTO users (discord_id, username, is_bot) VALUES (%s, %s, 1);
INSERT INTO orders (customer_id, total, status) VALUES (?, ?, 'new');
INSERT INTO tags (name) VALUES ('a'), ('b'), ('c');
INSERT INTO audit_logs_archive SELECT a.* FROM audit_logs a JOIN archive_ids x ON x.id = a.id;
UPDATE users SET global_name = ?, email = ?, locale = ? WHERE id = ?;
UPDATE conversations SET message_count = message_count + 1 WHERE id = ? AND user_id = ?;
UPDATE audit_logs SET archived = 0 WHERE archived = 1;
UPDATE products SET price = price * 1.1 WHERE category_id = ?;
UPDATE orders SET status = 'shipped' WHERE id IN (?, ?, ?);
DELETE FROM guild_settings WHERE guild_id = ?;
DELETE FROM user_guilds WHERE guild_id = ? AND user_id = ?;
DELETE FROM sessions WHERE user_id = ?;
DELETE FROM screenshot_tags WHERE analysis_id = ?;
DELETE FROM sessions WHERE user_id = %s;
DELETE FROM carts WHERE id NOT IN (SELECT cart_id FROM orders);
UPDATE users SET role = 'member' WHERE role IS NULL;
INSERT INTO sessions (id, user_id, expires_at) VALUES (?, ?, ?);
INSERT INTO order_items (order_id, sku, qty, price) VALUES (?, ?, ?, ?);
UPDATE orders SET status = ?, updated_at = CURRENT_TIMESTAMP WHERE id = ?;
UPDATE inventory SET qty = qty - ? WHERE sku = ? AND qty >= ?;
DELETE FROM order_items WHERE order_id = ? AND sku = ?;
INSERT INTO tags (name) SELECT DISTINCT tag FROM post_tags WHERE tag NOT IN (SELECT name FROM tags);
