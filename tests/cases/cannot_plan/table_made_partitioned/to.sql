create table m (at date, v int) partition by range (at);
create table m_1 partition of m for values from ('2026-01-01') to ('2026-02-01');
