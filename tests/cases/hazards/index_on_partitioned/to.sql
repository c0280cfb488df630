create table p (id int, at date not null) partition by range (at); create table p_2026 partition of p for values from ('2026-01-01') to ('2027-01-01'); create index p_id_idx on p (id);
