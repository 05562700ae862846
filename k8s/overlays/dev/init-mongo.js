// First start of the MongoDB container (run by the official image from /docker-entrypoint-initdb.d
// with mongosh): the catalog service's own user, allowed to read and write only its database.
// The password comes from the environment (docker-compose.yml, .env), never from this file.
const password = process.env.CATALOG_MONGO_PASSWORD;
if (!password) {
  throw new Error("init-mongo: set CATALOG_MONGO_PASSWORD, the password of catalog_service");
}
db.getSiblingDB("catalog").createUser({
  user: "catalog_service",
  pwd: password,
  roles: [{ role: "readWrite", db: "catalog" }],
});
print("init-mongo: catalog_service created");
