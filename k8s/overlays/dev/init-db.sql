-- Generated from the service registry by `bazaar generate postgres-init`; do not edit.
-- One login role and one database per service that owns one; the role owns its database and no
-- other role may connect to it. Passwords come from the environment (docker-compose.yml, .env).
\set ON_ERROR_STOP on

\getenv user_password USER_DB_PASSWORD
\if :{?user_password}
CREATE ROLE "user_service" WITH LOGIN PASSWORD :'user_password';
CREATE DATABASE "users" OWNER "user_service" ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE "users" FROM PUBLIC;
\else
DO $$ BEGIN RAISE EXCEPTION 'init-db: set USER_DB_PASSWORD, the password of user_service'; END $$;
\endif

\getenv inventory_password INVENTORY_DB_PASSWORD
\if :{?inventory_password}
CREATE ROLE "inventory_service" WITH LOGIN PASSWORD :'inventory_password';
CREATE DATABASE "inventory" OWNER "inventory_service" ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE "inventory" FROM PUBLIC;
\else
DO $$ BEGIN RAISE EXCEPTION 'init-db: set INVENTORY_DB_PASSWORD, the password of inventory_service'; END $$;
\endif

\getenv order_password ORDER_DB_PASSWORD
\if :{?order_password}
CREATE ROLE "order_service" WITH LOGIN PASSWORD :'order_password';
CREATE DATABASE "orders" OWNER "order_service" ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE "orders" FROM PUBLIC;
\else
DO $$ BEGIN RAISE EXCEPTION 'init-db: set ORDER_DB_PASSWORD, the password of order_service'; END $$;
\endif

\getenv payment_password PAYMENT_DB_PASSWORD
\if :{?payment_password}
CREATE ROLE "payment_service" WITH LOGIN PASSWORD :'payment_password';
CREATE DATABASE "payments" OWNER "payment_service" ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE "payments" FROM PUBLIC;
\else
DO $$ BEGIN RAISE EXCEPTION 'init-db: set PAYMENT_DB_PASSWORD, the password of payment_service'; END $$;
\endif

\getenv notification_password NOTIFICATION_DB_PASSWORD
\if :{?notification_password}
CREATE ROLE "notification_service" WITH LOGIN PASSWORD :'notification_password';
CREATE DATABASE "notifications" OWNER "notification_service" ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE "notifications" FROM PUBLIC;
\else
DO $$ BEGIN RAISE EXCEPTION 'init-db: set NOTIFICATION_DB_PASSWORD, the password of notification_service'; END $$;
\endif
