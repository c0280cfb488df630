CREATE TABLE app.archive (LIKE app.events);
