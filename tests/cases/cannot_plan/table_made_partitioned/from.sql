create table m (at date, v int);
create table m_1 (at date, v int);
