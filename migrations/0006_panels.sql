-- 0006: vetting panels, their members and meetings, the agenda, conflict of
-- interest declarations, scores, recommendations, the Ministry of Science
-- and Technology's assessment (MHKJFS) and approval decisions.
-- Owned by app/core/panels.c (docs/api.md, "Panels and decisions").
-- The runner wraps this file in one transaction with its schema_migrations row.

CREATE TABLE panels (
	id		bigserial PRIMARY KEY,
	scheme_code	text NOT NULL CHECK (scheme_code ~ '^[A-Z]{2,8}$'),
	name_en		text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
	name_zh		text NOT NULL CHECK (length(name_zh) BETWEEN 1 AND 200),
	quorum		integer NOT NULL CHECK (quorum BETWEEN 1 AND 50),
	created_by	bigint REFERENCES users (id),
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX panels_scheme ON panels (scheme_code, id);
COMMENT ON TABLE panels IS 'Vetting panels (assessment panels, committees); each belongs to one scheme';
COMMENT ON COLUMN panels.scheme_code IS 'schemes/*.json code whose applications the panel assesses';
COMMENT ON COLUMN panels.name_en IS 'English name, e.g. ESS Assessment Panel';
COMMENT ON COLUMN panels.name_zh IS 'Traditional Chinese name';
COMMENT ON COLUMN panels.quorum IS 'unconflicted members who must have scored every criterion before an item is decided (default: the scheme''s panel_quorum)';

CREATE TABLE panel_members (
	panel_id	bigint NOT NULL REFERENCES panels (id),
	user_id		bigint NOT NULL REFERENCES users (id),
	is_chair	boolean NOT NULL DEFAULT false,
	term_from	date NOT NULL,
	term_to		date NOT NULL,
	appointed_by	bigint REFERENCES users (id),
	appointed_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (panel_id, user_id),
	CONSTRAINT panel_members_term CHECK (term_to >= term_from)
);
CREATE UNIQUE INDEX panel_members_one_chair ON panel_members (panel_id)
	WHERE is_chair;
CREATE INDEX panel_members_user ON panel_members (user_id);
COMMENT ON TABLE panel_members IS 'Appointments of users with the panel_member role to a panel; a member acts at a meeting only if the meeting date falls within the term';
COMMENT ON COLUMN panel_members.is_chair IS 'the chair records the panel''s recommendations; at most one per panel';
COMMENT ON COLUMN panel_members.term_from IS 'first day of the term of appointment';
COMMENT ON COLUMN panel_members.term_to IS 'last day of the term of appointment';

CREATE TABLE panel_meetings (
	id		bigserial PRIMARY KEY,
	panel_id	bigint NOT NULL REFERENCES panels (id),
	meeting_date	date NOT NULL,
	venue		text CHECK (length(venue) BETWEEN 1 AND 200),
	created_by	bigint REFERENCES users (id),
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX panel_meetings_panel ON panel_meetings (panel_id, meeting_date);
COMMENT ON TABLE panel_meetings IS 'Meetings of a panel; each has an agenda of applications under assessment';
COMMENT ON COLUMN panel_meetings.meeting_date IS 'the day the panel meets; members whose term covers it take part';

CREATE TABLE meeting_items (
	meeting_id	bigint NOT NULL REFERENCES panel_meetings (id),
	application_id	bigint NOT NULL REFERENCES applications (id),
	seq		integer NOT NULL CHECK (seq >= 1),
	added_by	bigint REFERENCES users (id),
	added_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (meeting_id, application_id),
	CONSTRAINT meeting_items_seq_unique UNIQUE (meeting_id, seq),
	-- One agenda per application, so its declarations, scores and
	-- recommendation are never split between meetings.
	CONSTRAINT meeting_items_one_agenda UNIQUE (application_id)
);
COMMENT ON TABLE meeting_items IS 'The agenda of a meeting: applications of the panel''s scheme, under assessment when added';
COMMENT ON COLUMN meeting_items.seq IS 'position on the agenda, from 1';

CREATE TABLE conflict_declarations (
	meeting_id	bigint NOT NULL,
	application_id	bigint NOT NULL,
	user_id		bigint NOT NULL REFERENCES users (id),
	conflict	boolean NOT NULL,
	reason		text CHECK (length(reason) BETWEEN 1 AND 2000),
	declared_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (meeting_id, application_id, user_id),
	-- The target of panel_scores' foreign key, which carries conflict.
	CONSTRAINT conflict_declarations_key_conflict
	    UNIQUE (meeting_id, application_id, user_id, conflict),
	FOREIGN KEY (meeting_id, application_id)
	    REFERENCES meeting_items (meeting_id, application_id),
	CONSTRAINT conflict_declarations_reason CHECK (conflict = (reason IS NOT NULL))
);
CREATE INDEX conflict_declarations_user ON conflict_declarations (user_id, application_id);
COMMENT ON TABLE conflict_declarations IS 'Each member''s declaration of interest for each agenda item, made before scoring; no conflict may later become a conflict, never the reverse';
COMMENT ON COLUMN conflict_declarations.conflict IS 'true: the member has a conflict of interest and may neither read the application''s details, score it nor decide it';
COMMENT ON COLUMN conflict_declarations.reason IS 'the member''s statement of the conflict; present exactly when conflict is true';

CREATE TABLE panel_scores (
	meeting_id	bigint NOT NULL,
	application_id	bigint NOT NULL,
	user_id		bigint NOT NULL,
	criterion	text NOT NULL CHECK (criterion ~ '^[a-z0-9_]{1,64}$'),
	score		integer NOT NULL CHECK (score >= 0),
	-- Always false: with the foreign key below, a score exists only
	-- beside a declaration of no conflict.
	conflict	boolean NOT NULL DEFAULT false CHECK (NOT conflict),
	scored_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (meeting_id, application_id, user_id, criterion),
	FOREIGN KEY (meeting_id, application_id, user_id, conflict)
	    REFERENCES conflict_declarations (meeting_id, application_id,
	    user_id, conflict)
);
COMMENT ON TABLE panel_scores IS 'One member''s score of one criterion of an agenda item; a second score for the same criterion replaces the first. Weighted totals are computed (app/core/panels.c), never stored';
COMMENT ON COLUMN panel_scores.criterion IS 'id of a criterion of the scheme definition (criteria[].id)';
COMMENT ON COLUMN panel_scores.score IS '0..the criterion''s max_score (checked in app/core/panels.c against the scheme definition)';
COMMENT ON COLUMN panel_scores.conflict IS 'always false; part of the foreign key that ties a score to a no-conflict declaration';

CREATE TABLE recommendations (
	application_id	bigint PRIMARY KEY REFERENCES applications (id),
	meeting_id	bigint NOT NULL,
	recommendation	text NOT NULL CHECK (recommendation IN
			    ('support', 'support_with_conditions', 'not_support')),
	conditions	text CHECK (length(conditions) BETWEEN 1 AND 4000),
	recommended_cents bigint CHECK (recommended_cents >= 0),
	reasons		text NOT NULL CHECK (length(reasons) BETWEEN 1 AND 4000),
	outcome		text NOT NULL CHECK (outcome IN
			    ('recommended', 'not_recommended')),
	weighted_total_bp integer CHECK (weighted_total_bp BETWEEN 0 AND 10000),
	scorers		integer NOT NULL CHECK (scorers >= 0),
	recorded_by	bigint REFERENCES users (id),
	recorded_as	text NOT NULL CHECK (recorded_as IN ('chair', 'officer')),
	recorded_at	timestamptz NOT NULL DEFAULT now(),
	FOREIGN KEY (meeting_id, application_id)
	    REFERENCES meeting_items (meeting_id, application_id),
	CONSTRAINT recommendations_conditions CHECK
	    ((recommendation = 'support_with_conditions') = (conditions IS NOT NULL)),
	CONSTRAINT recommendations_amount CHECK
	    ((recommendation = 'not_support') = (recommended_cents IS NULL))
);
COMMENT ON TABLE recommendations IS 'The panel''s recommendation on an application, recorded by the chair or by an officer on the panel''s behalf; separate from the approving officer''s decision';
COMMENT ON COLUMN recommendations.conditions IS 'the conditions of a support_with_conditions recommendation';
COMMENT ON COLUMN recommendations.recommended_cents IS 'the government contribution recommended: the request, or a reduced amount with conditions; NULL when not supported';
COMMENT ON COLUMN recommendations.outcome IS 'the application''s resulting status; MHKJFS needs the Ministry of Science and Technology''s support too';
COMMENT ON COLUMN recommendations.weighted_total_bp IS 'the mean of the unconflicted scorers'' weighted totals when recorded, in basis points of full marks';
COMMENT ON COLUMN recommendations.scorers IS 'unconflicted members who had scored every criterion when it was recorded';
COMMENT ON COLUMN recommendations.recorded_as IS 'chair: by the panel''s chair; officer: by a secretariat officer on the panel''s behalf';

CREATE TABLE partner_assessments (
	application_id	bigint PRIMARY KEY REFERENCES applications (id),
	partner		text NOT NULL DEFAULT 'MOST' CHECK (partner = 'MOST'),
	supported	boolean NOT NULL,
	reference	text NOT NULL CHECK (length(reference) BETWEEN 1 AND 100),
	assessed_on	date NOT NULL,
	notes		text CHECK (length(notes) <= 4000),
	recorded_by	bigint REFERENCES users (id),
	recorded_at	timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE partner_assessments IS 'The Ministry of Science and Technology''s separate assessment of a Mainland-Hong Kong Joint Funding Scheme application, recorded by an officer';
COMMENT ON COLUMN partner_assessments.supported IS 'whether MOST supports the project; only an application both MOST and ITC''s panel support is recommended';
COMMENT ON COLUMN partner_assessments.reference IS 'MOST''s reference for its assessment';
COMMENT ON COLUMN partner_assessments.assessed_on IS 'the date of MOST''s assessment';

CREATE TABLE decisions (
	application_id	bigint PRIMARY KEY REFERENCES applications (id),
	decision	text NOT NULL CHECK (decision IN ('approve', 'reject')),
	approved_cents	bigint CHECK (approved_cents >= 0),
	reasons		text NOT NULL CHECK (length(reasons) BETWEEN 1 AND 4000),
	decided_by	bigint NOT NULL REFERENCES users (id),
	authority_cents	bigint NOT NULL CHECK (authority_cents >= 0),
	ledger_entry_id	bigint,
	decided_at	timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT decisions_amount CHECK
	    ((decision = 'approve') = (approved_cents IS NOT NULL)),
	CONSTRAINT decisions_within_authority CHECK
	    (approved_cents IS NULL OR approved_cents <= authority_cents)
);
CREATE INDEX decisions_decided_by ON decisions (decided_by);
COMMENT ON TABLE decisions IS 'The approving officer''s decision on a recommended or not recommended application';
COMMENT ON COLUMN decisions.approved_cents IS 'the government contribution approved and committed in the ledger (the recommended amount); NULL on rejection';
COMMENT ON COLUMN decisions.authority_cents IS 'the approver''s financial authority when deciding (users.authority_cents)';
COMMENT ON COLUMN decisions.ledger_entry_id IS 'the ledger commitment entry written in the same transaction';

DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'itf_app') THEN
		-- Records of assessment and decision are never deleted.
		REVOKE DELETE, TRUNCATE ON panels, panel_meetings, meeting_items,
		    conflict_declarations, recommendations, partner_assessments,
		    decisions FROM itf_app;
		REVOKE UPDATE ON recommendations, partner_assessments, decisions
		    FROM itf_app;
		-- panel_members: terms are updated on re-appointment;
		-- panel_scores: a declared conflict removes the member's scores.
		REVOKE TRUNCATE ON panel_members, panel_scores FROM itf_app;
	END IF;
END $$;
