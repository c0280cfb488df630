CREATE VIEW app.order_moods AS SELECT mood, count(*) AS n FROM app.orders GROUP BY mood;
