"""Each timeline point counts the events of its timeline dated on or before it, so the
pages' event counts are the difference of two points however long the history.

The points are derived data; they are computed again here with the statement of this
release, written out in full, so that this migration does not depend on later code (the
mission totals, `MissionTotalPoint`, do not change)."""

from django.db import migrations, models

REBUILD = (
    "DELETE FROM tracker_timelinepoint",
    """
WITH 
days AS (
    SELECT mission_id, country_id, personnel_type, date,
        SUM(CASE WHEN kind IN ('arrival', 'transfer') THEN personnel
                 WHEN kind IN ('departure', 'fatality') THEN -personnel
                 ELSE 0 END) AS delta,
        MAX(CASE WHEN kind = 'strength_report' THEN personnel END) AS reported,
        SUM(CASE WHEN kind = 'fatality' THEN personnel ELSE 0 END) AS killed,
        COUNT(*) AS events,
        MIN(CASE WHEN kind IN ('arrival', 'transfer') THEN date END) AS arrived_on,
        CASE WHEN MAX(CASE WHEN kind = 'strength_report' THEN 1 END) = 1
             THEN MAX(CASE WHEN kind = 'strength_report' AND disputed THEN id END)
             ELSE MAX(CASE WHEN disputed THEN id END) END AS doubted_by
    FROM tracker_deploymentevent
    WHERE 1 = 1
    GROUP BY mission_id, country_id, personnel_type, date
),
runs AS (
    SELECT days.*,
        COUNT(reported) OVER (PARTITION BY mission_id, country_id, personnel_type ORDER BY date) AS run
    FROM days
),
levels AS (
    SELECT mission_id, country_id, personnel_type, date, run, reported, delta,
        SUM(COALESCE(reported, delta)) OVER run_so_far AS deployed,
        killed,
        SUM(killed) OVER (PARTITION BY mission_id, country_id, personnel_type ORDER BY date) AS fatalities_to_date,
        events,
        SUM(events) OVER (PARTITION BY mission_id, country_id, personnel_type ORDER BY date) AS events_to_date,
        MIN(arrived_on) OVER (PARTITION BY mission_id, country_id, personnel_type ORDER BY date) AS first_arrival,
        doubted_by,
        COUNT(doubted_by) OVER run_so_far AS doubts_so_far
    FROM runs
    WINDOW run_so_far AS (PARTITION BY mission_id, country_id, personnel_type, run ORDER BY date)
)
, 
doubts AS (
    SELECT levels.*,
        MAX(doubted_by) OVER (PARTITION BY mission_id, country_id, personnel_type, run, doubts_so_far) AS disputed_by
    FROM levels
),
typed AS (
    SELECT mission_id, country_id, personnel_type, date, deployed,
        deployed - COALESCE(LAG(deployed) OVER timeline, 0) AS deployed_change,
        killed, fatalities_to_date, events, events_to_date, first_arrival, disputed_by,
        CASE WHEN disputed_by IS NULL THEN 0 ELSE deployed END AS unconfirmed,
        CASE WHEN disputed_by IS NULL THEN 0 ELSE deployed END
            - COALESCE(LAG(CASE WHEN disputed_by IS NULL THEN 0 ELSE deployed END)
                OVER timeline, 0) AS unconfirmed_change,
        COALESCE(disputed_by, 0) - COALESCE(LAG(disputed_by) OVER timeline, 0)
            AS disputed_by_change,
        CASE WHEN reported IS NOT NULL THEN NULLIF(
            reported - COALESCE(LAG(deployed) OVER timeline, 0) - delta, 0) END
            AS report_unaccounted
    FROM doubts
    WINDOW timeline AS (PARTITION BY mission_id, country_id, personnel_type ORDER BY date)
)

INSERT INTO tracker_timelinepoint (mission_id, country_id, personnel_type, date, deployed, deployed_change, fatalities_to_date, first_arrival, deployed_disputed_by, deployed_unconfirmed, report_unaccounted, events_to_date)
SELECT mission_id, country_id, personnel_type, date, deployed, deployed_change, fatalities_to_date, first_arrival,
    disputed_by, unconfirmed, report_unaccounted, events_to_date
FROM typed
UNION ALL
SELECT mission_id, country_id, 'all', date, deployed, deployed_change,
    fatalities_to_date, first_arrival, NULLIF(CASE WHEN disputed_by_police >= disputed_by_military AND disputed_by_police >= disputed_by_civilian THEN disputed_by_police ELSE CASE WHEN disputed_by_military >= disputed_by_civilian THEN disputed_by_military ELSE disputed_by_civilian END END, 0), unconfirmed, NULL,
    events_to_date
FROM (
    SELECT mission_id, country_id, date,
        SUM(SUM(deployed_change)) OVER country_so_far AS deployed,
        SUM(deployed_change) AS deployed_change,
        SUM(SUM(killed)) OVER country_so_far AS fatalities_to_date,
        MIN(MIN(first_arrival)) OVER country_so_far AS first_arrival,
        SUM(SUM(unconfirmed_change)) OVER country_so_far AS unconfirmed,
        SUM(SUM(events)) OVER country_so_far AS events_to_date,
        SUM(SUM(CASE WHEN personnel_type = 'police' THEN disputed_by_change ELSE 0 END)) OVER country_so_far AS disputed_by_police,
        SUM(SUM(CASE WHEN personnel_type = 'military' THEN disputed_by_change ELSE 0 END)) OVER country_so_far AS disputed_by_military,
        SUM(SUM(CASE WHEN personnel_type = 'civilian' THEN disputed_by_change ELSE 0 END)) OVER country_so_far AS disputed_by_civilian
    FROM typed
    GROUP BY mission_id, country_id, date
    WINDOW country_so_far AS (PARTITION BY mission_id, country_id ORDER BY date)
) AS all_types
""",
)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0022_record_id_default"),
    ]

    operations = [
        migrations.AddField(
            model_name="timelinepoint",
            name="events_to_date",
            field=models.IntegerField(default=0),
        ),
        migrations.RunSQL(list(REBUILD), migrations.RunSQL.noop),
    ]
