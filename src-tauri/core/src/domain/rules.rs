//! The rules: how each `Change` transforms an incident's state, and what it
//! refuses. Pure functions of (state, change, time, author): the `Desk` uses
//! them to write, and the replay uses them to rebuild state from a timeline,
//! so both always agree.

use super::length::check_length;
use super::limits::*;
use super::playbook::*;
use super::record::*;
use super::vocabulary::*;
use crate::error::{DeskError, Result};
use crate::time::Timestamp;

impl IncidentRecord {
    /// The state right after `Change::Declared`, recorded at `at` by `author`.
    /// Declaring means the incident was identified; classifying starts now.
    pub fn declared(
        reference: &str,
        change: &Change,
        at: Timestamp,
        author: &str,
    ) -> Result<IncidentRecord> {
        let Change::Declared {
            id,
            title,
            summary,
            kind,
            level,
            source,
            started_at,
            detected_at,
            services,
            ..
        } = change
        else {
            return Err(DeskError::Corrupt(
                "a timeline must start with its declaration".into(),
            ));
        };
        required_text("title", title, MAX_TITLE)?;
        optional_text("summary", summary, MAX_TEXT)?;
        validate_services(services)?;
        plausible_time("started_at", *started_at)?;
        if started_at > detected_at {
            return Err(DeskError::invalid(
                "started_at",
                format!("impact start {started_at} is after detection {detected_at}"),
            ));
        }
        if *detected_at > at {
            return Err(DeskError::invalid(
                "detected_at",
                format!("detection {detected_at} is after the declaration {at}"),
            ));
        }
        let mut stages = Stages::all_pending();
        stages.identify = StageRecord {
            state: StageState::Done,
            started_at: Some(*detected_at),
            completed_at: Some(at),
            changed_at: Some(at),
            owner: Some(author.to_owned()),
            reason: None,
        };
        stages.classify = StageRecord {
            state: StageState::Active,
            started_at: Some(at),
            completed_at: None,
            changed_at: Some(at),
            owner: Some(author.to_owned()),
            reason: None,
        };
        Ok(IncidentRecord {
            id: id.clone(),
            reference: reference.to_owned(),
            title: title.clone(),
            summary: summary.clone(),
            kind: *kind,
            level: level.clone(),
            status: PublicStatus::Investigating,
            source: *source,
            scope: Scope {
                services: services.clone(),
                ..Scope::default()
            },
            started_at: *started_at,
            detected_at: *detected_at,
            declared_at: at,
            resolved_at: None,
            closed_at: None,
            stages,
            roles: Vec::new(),
            communications: Vec::new(),
            review: Review::default(),
            action_items: Vec::new(),
            conflicts: Vec::new(),
            checks: Vec::new(),
            tasks: Vec::new(),
            hypothesis_marks: Vec::new(),
        })
    }

    /// Refuses an entry dated where the incident could not hold it (see
    /// [`check_entry_dated`]); `changes_state` for a change, not a note.
    pub fn check_dated(&self, at: Timestamp, changes_state: bool) -> Result<()> {
        let declared = changes_state.then_some(self.declared_at);
        check_entry_dated(&self.reference, self.started_at, declared, at)
    }

    /// Applies `change` (made at `at` by `author`) and returns the sentence
    /// that describes it on the timeline. On error the state is unchanged.
    pub fn apply(&mut self, change: &Change, at: Timestamp, author: &str) -> Result<String> {
        if !matches!(change, Change::Declared { .. }) {
            self.check_dated(at, true)?;
        }
        let mut next = self.clone();
        let text = next.apply_in_place(change, at, author)?;
        *self = next;
        Ok(text)
    }

    fn refuse_if_closed(&self, what: &str) -> Result<()> {
        if self.is_closed() {
            return Err(DeskError::Conflict(format!(
                "{} is closed: its {what} can no longer change",
                self.reference
            )));
        }
        Ok(())
    }

    fn apply_in_place(&mut self, change: &Change, at: Timestamp, author: &str) -> Result<String> {
        match change {
            Change::Declared { .. } => Err(DeskError::Conflict(format!(
                "{} was already declared",
                self.reference
            ))),
            Change::Edited { title, summary } => self.edit(title.as_deref(), summary.as_deref()),
            Change::Classified {
                kind,
                level,
                services,
                segment,
                customer_facing,
            } => {
                self.refuse_if_closed("classification")?;
                self.classify(
                    *kind,
                    level.as_deref(),
                    services.as_deref(),
                    segment.as_deref(),
                    *customer_facing,
                )
            }
            Change::StageChanged {
                stage,
                state,
                reason,
                action_item_id,
            } => {
                self.refuse_if_closed("stages")?;
                self.change_stage(
                    *stage,
                    *state,
                    reason.as_deref(),
                    action_item_id.as_deref(),
                    at,
                    author,
                )
            }
            Change::StatusChanged { status } => {
                self.refuse_if_closed("public status")?;
                self.change_status(*status, at)
            }
            Change::RoleAssigned { role, person } => {
                self.refuse_if_closed("roles")?;
                self.assign(*role, person, at)
            }
            Change::RoleRelieved { role, person } => {
                self.refuse_if_closed("roles")?;
                self.relieve(*role, person, at)
            }
            Change::CommunicationDrafted {
                id,
                channel,
                segment,
                body,
                subject,
                announces,
            } => {
                self.refuse_if_closed("communications")?;
                let draft = NewMessage {
                    id,
                    channel: *channel,
                    segment,
                    body,
                    subject: subject.as_deref(),
                    announces: *announces,
                };
                self.add_communication(draft, CommunicationState::Draft, at)?;
                Ok(format!("Drafted a {} message", channel_name(*channel)))
            }
            Change::CommunicationRecorded {
                id,
                channel,
                segment,
                body,
                subject,
            } => {
                self.refuse_if_closed("communications")?;
                check_length(*channel, body)?;
                let message = NewMessage {
                    id,
                    channel: *channel,
                    segment,
                    body,
                    subject: subject.as_deref(),
                    announces: None,
                };
                self.add_communication(message, CommunicationState::Sent, at)?;
                Ok(format!(
                    "Sent {} message: {}",
                    channel_name(*channel),
                    excerpt(body)
                ))
            }
            Change::CommunicationEdited { id, body, subject } => {
                self.refuse_if_closed("communications")?;
                required_text("body", body, MAX_TEXT)?;
                if let Some(subject) = subject {
                    optional_text("subject", subject, MAX_TITLE)?;
                }
                let comm = self.communication_mut(id)?;
                refuse_if_queued(comm, "edited")?;
                if !matches!(
                    comm.state,
                    CommunicationState::Draft | CommunicationState::Approved
                ) {
                    return Err(DeskError::Conflict(format!(
                        "communication {id} is {} and can no longer be edited",
                        comm.state
                    )));
                }
                if comm.body == *body && comm.subject == *subject {
                    return Err(DeskError::Unchanged("the draft is unchanged".into()));
                }
                let was_approved = comm.state == CommunicationState::Approved;
                comm.body = body.clone();
                comm.subject = subject.clone();
                comm.state = CommunicationState::Draft;
                comm.approved_by = None;
                comm.approved_at = None;
                let mut text = format!("Edited the {} draft", channel_name(comm.channel));
                if was_approved {
                    text.push_str(" (its approval no longer applies)");
                }
                Ok(text)
            }
            Change::CommunicationApproved { id } => {
                self.refuse_if_closed("communications")?;
                let comm = self.communication_mut(id)?;
                if comm.state == CommunicationState::Approved {
                    return Err(DeskError::Unchanged(format!(
                        "communication {id} is already approved"
                    )));
                }
                if comm.state != CommunicationState::Draft {
                    return Err(DeskError::Conflict(format!(
                        "communication {id} is {}, only a draft can be approved",
                        comm.state
                    )));
                }
                check_length(comm.channel, &comm.body)?;
                comm.state = CommunicationState::Approved;
                comm.approved_by = Some(author.to_owned());
                comm.approved_at = Some(at);
                Ok(format!(
                    "Approved the {} message",
                    channel_name(comm.channel)
                ))
            }
            Change::CommunicationSent {
                id,
                published_to,
                via,
                thread,
            } => {
                self.refuse_if_closed("communications")?;
                let comm = self.communication_mut(id)?;
                if comm.state == CommunicationState::Sent {
                    return Err(DeskError::Unchanged(format!(
                        "communication {id} was already sent"
                    )));
                }
                ready_to_go(comm, "sent")?;
                // An id at a service; it may come from another laptop.
                if let Some(thread) = thread
                    && (thread.is_empty()
                        || thread.len() > 256
                        || thread.chars().any(|c| c.is_control() || c.is_whitespace()))
                {
                    return Err(DeskError::invalid(
                        "thread",
                        "a service's thread id is 1–256 characters without spaces",
                    ));
                }
                comm.state = CommunicationState::Sent;
                comm.sent_at = Some(at);
                comm.published_to = published_to.clone();
                comm.sent_via = *via;
                comm.service_thread = thread.clone();
                comm.queued_to = None;
                comm.publish_error = None;
                let announces = comm.announces;
                let mut text = format!(
                    "Sent {} message: {}",
                    channel_name(comm.channel),
                    excerpt(&comm.body)
                );
                if let Some(target) = published_to {
                    text.push_str(&format!(" (published to {target})"));
                }
                // A message that announces a status sets it.
                if let Some(status) = announces
                    && status != self.status
                {
                    text.push_str(&format!("; public status {} → {status}", self.status));
                    self.status = status;
                    self.resolved_at = (status == PublicStatus::Resolved).then_some(at);
                }
                Ok(text)
            }
            Change::CommunicationDiscarded { id } => {
                self.refuse_if_closed("communications")?;
                let comm = self.communication_mut(id)?;
                refuse_if_queued(comm, "discarded")?;
                if comm.state == CommunicationState::Discarded {
                    return Err(DeskError::Unchanged(format!(
                        "communication {id} was already discarded"
                    )));
                }
                if !matches!(
                    comm.state,
                    CommunicationState::Draft | CommunicationState::Approved
                ) {
                    return Err(DeskError::Conflict(format!(
                        "communication {id} is {} and cannot be discarded",
                        comm.state
                    )));
                }
                comm.state = CommunicationState::Discarded;
                Ok(format!(
                    "Discarded the {} draft",
                    channel_name(comm.channel)
                ))
            }
            Change::PublishQueued { id, target } => {
                self.refuse_if_closed("communications")?;
                let comm = self.communication_mut(id)?;
                if let Some(queued) = comm.queued_to {
                    return Err(DeskError::Unchanged(format!(
                        "this message already waits in the outbox for {queued}"
                    )));
                }
                ready_to_go(comm, "published")?;
                comm.queued_to = Some(*target);
                comm.publish_error = None;
                Ok(format!(
                    "Queued the {} message for {target}: it is sent when {target} confirms",
                    channel_name(comm.channel)
                ))
            }
            Change::PublishCancelled { id } => {
                let comm = self.communication_mut(id)?;
                let Some(target) = comm.queued_to.take() else {
                    return Err(DeskError::Unchanged(
                        "this message is not waiting in the outbox".into(),
                    ));
                };
                Ok(format!(
                    "Publishing the {} message to {target} cancelled: it was not sent",
                    channel_name(comm.channel)
                ))
            }
            Change::PublishFailed { id, reason } => {
                required_text("reason", reason, MAX_TEXT)?;
                let comm = self.communication_mut(id)?;
                let Some(target) = comm.queued_to.take() else {
                    return Err(DeskError::Unchanged(
                        "this message is not waiting in the outbox".into(),
                    ));
                };
                comm.publish_error = Some(reason.clone());
                Ok(format!(
                    "Publishing the {} message to {target} failed: {reason}; it was not sent",
                    channel_name(comm.channel)
                ))
            }
            Change::ReviewUpdated { field, text } => {
                optional_text(field.as_str(), text, MAX_TEXT).map_err(|_| DeskError::TooLong {
                    field: "text",
                    max: MAX_TEXT,
                    actual: text.chars().count(),
                })?;
                let slot = self.review.get_mut(*field);
                if slot == text {
                    return Err(DeskError::Unchanged(format!(
                        "the review's {field} is unchanged"
                    )));
                }
                *slot = text.clone();
                Ok(format!(
                    "Review: {} updated",
                    field.as_str().replace('_', " ")
                ))
            }
            Change::ActionItemAdded {
                id,
                title,
                owner,
                due,
            } => {
                self.add_action_item(id, title, owner.as_deref(), due.as_deref(), None, at)?;
                let mut text = format!("Action item: {title}");
                let details: Vec<String> = [
                    owner.as_ref().map(|o| format!("owner {o}")),
                    due.as_ref().map(|d| format!("due {d}")),
                ]
                .into_iter()
                .flatten()
                .collect();
                if !details.is_empty() {
                    text.push_str(&format!(" ({})", details.join(", ")));
                }
                Ok(text)
            }
            Change::ActionItemChanged { id, state } => {
                let item = self
                    .action_items
                    .iter_mut()
                    .find(|item| item.id == *id)
                    .ok_or_else(|| DeskError::NotFound {
                        what: "action item",
                        key: id.clone(),
                    })?;
                if item.state == *state {
                    return Err(DeskError::Unchanged(format!(
                        "action item \"{}\" is already {state}",
                        item.title
                    )));
                }
                item.state = *state;
                Ok(format!("Action item \"{}\" is {state}", item.title))
            }
            Change::ActionItemEdited {
                id,
                title,
                owner,
                due,
            } => {
                required_text("title", title, MAX_TITLE)?;
                if let Some(owner) = owner {
                    required_text("owner", owner, MAX_NAME)?;
                }
                if let Some(due) = due {
                    validate_date(due)?;
                }
                let item = self
                    .action_items
                    .iter_mut()
                    .find(|item| item.id == *id)
                    .ok_or_else(|| DeskError::NotFound {
                        what: "action item",
                        key: id.clone(),
                    })?;
                if item.title == *title && item.owner == *owner && item.due == *due {
                    return Err(DeskError::Unchanged("the action item is unchanged".into()));
                }
                item.title = title.clone();
                item.owner = owner.clone();
                item.due = due.clone();
                let details: Vec<String> = [
                    owner.as_ref().map(|o| format!("owner {o}")),
                    due.as_ref().map(|d| format!("due {d}")),
                ]
                .into_iter()
                .flatten()
                .collect();
                Ok(if details.is_empty() {
                    format!("Action item \"{title}\" updated")
                } else {
                    format!("Action item \"{title}\": {}", details.join(", "))
                })
            }
            Change::ChecklistMarked {
                item,
                text,
                stage,
                state,
            } => {
                self.refuse_if_closed("checklist")?;
                self.mark_check(item, text, *stage, *state, at, author)
            }
            Change::TaskAdded {
                id,
                title,
                owner,
                owner_role,
                due_at,
            } => {
                self.refuse_if_closed("tasks")?;
                self.add_task(id, title, owner.as_deref(), *owner_role, *due_at, at)
            }
            Change::TaskChanged { id, state } => {
                self.refuse_if_closed("tasks")?;
                self.change_task(id, *state, at)
            }
            Change::TaskPromoted { id, action_item_id } => {
                self.refuse_if_closed("tasks")?;
                self.promote_task(id, action_item_id, at)
            }
            Change::HypothesisMarked { entry_id, state } => {
                self.refuse_if_closed("hypotheses")?;
                self.mark_hypothesis(entry_id, *state, at, author)
            }
            Change::Closed => {
                if self.is_closed() {
                    return Err(DeskError::Unchanged(format!(
                        "{} is already closed",
                        self.reference
                    )));
                }
                let open = self.stages.unsettled();
                if !open.is_empty() {
                    return Err(DeskError::OpenStages {
                        reference: self.reference.clone(),
                        stages: open,
                    });
                }
                self.closed_at = Some(at);
                Ok("Closed the incident".to_owned())
            }
        }
    }

    fn edit(&mut self, title: Option<&str>, summary: Option<&str>) -> Result<String> {
        let mut parts = Vec::new();
        if let Some(title) = title.filter(|t| *t != self.title) {
            required_text("title", title, MAX_TITLE)?;
            self.title = title.to_owned();
            parts.push(format!("title is now \"{title}\""));
        }
        if let Some(summary) = summary.filter(|s| *s != self.summary) {
            optional_text("summary", summary, MAX_TEXT)?;
            self.summary = summary.to_owned();
            parts.push("summary updated".to_owned());
        }
        if parts.is_empty() {
            return Err(DeskError::Unchanged(
                "nothing to change: the title and summary are the same".into(),
            ));
        }
        Ok(capitalize(&parts.join("; ")))
    }

    fn classify(
        &mut self,
        kind: Option<IncidentKind>,
        level: Option<&str>,
        services: Option<&[String]>,
        segment: Option<&str>,
        customer_facing: Option<bool>,
    ) -> Result<String> {
        let mut parts = Vec::new();
        if let Some(kind) = kind.filter(|k| *k != self.kind) {
            parts.push(format!("kind {} → {kind}", self.kind));
            self.kind = kind;
        }
        if let Some(level) = level.filter(|l| *l != self.level) {
            parts.push(format!("level {} → {level}", self.level));
            self.level = level.to_owned();
        }
        if let Some(services) = services.filter(|s| *s != self.scope.services.as_slice()) {
            validate_services(services)?;
            self.scope.services = services.to_vec();
            parts.push(if services.is_empty() {
                "no affected services".to_owned()
            } else {
                format!("services {}", services.join(", "))
            });
        }
        if let Some(segment) = segment.filter(|s| *s != self.scope.segment) {
            optional_text("segment", segment, MAX_SHORT_TEXT)?;
            self.scope.segment = segment.to_owned();
            parts.push(format!("affected users \"{segment}\""));
        }
        if let Some(facing) = customer_facing.filter(|f| *f != self.scope.customer_facing) {
            self.scope.customer_facing = facing;
            parts.push(format!(
                "customer-facing {}",
                if facing { "yes" } else { "no" }
            ));
        }
        if parts.is_empty() {
            return Err(DeskError::Unchanged(format!(
                "nothing to change: {} is already classified that way",
                self.reference
            )));
        }
        Ok(format!("Classified: {}", parts.join("; ")))
    }

    fn change_stage(
        &mut self,
        stage: Stage,
        state: StageState,
        reason: Option<&str>,
        action_item_id: Option<&str>,
        at: Timestamp,
        author: &str,
    ) -> Result<String> {
        let before = self.stages.get(stage).state;
        if before == state {
            return Err(DeskError::Unchanged(format!(
                "stage {stage} is already {state}"
            )));
        }
        let reason = reason.filter(|r| !r.trim().is_empty());
        if let Some(reason) = reason {
            optional_text("reason", reason, MAX_SHORT_TEXT)?;
        }
        let mut text = format!("Stage {stage}: {before} → {state}");
        let kept_reason = match state {
            StageState::Skipped => {
                let reason = reason.ok_or_else(|| {
                    DeskError::invalid("reason", format!("skipping {stage} needs a reason"))
                })?;
                text.push_str(&format!(" ({reason})"));
                Some(reason.to_owned())
            }
            StageState::Deferred => {
                let id = action_item_id.ok_or_else(|| {
                    DeskError::Corrupt(format!("deferring {stage} without a follow-up id"))
                })?;
                let title = reason
                    .map(str::to_owned)
                    .unwrap_or_else(|| format!("Follow up on {stage}"));
                self.add_action_item(id, &title, None, None, Some(stage), at)?;
                text.push_str(&format!(" to action item \"{title}\""));
                Some(title)
            }
            _ => None,
        };
        if matches!(state, StageState::Active | StageState::Done) {
            let waiting: Vec<&str> = Stage::ALL
                .iter()
                .take_while(|s| **s != stage)
                .filter(|s| self.stages.get(**s).state == StageState::Pending)
                .map(|s| s.as_str())
                .collect();
            if !waiting.is_empty() {
                let verb = if waiting.len() == 1 { "is" } else { "are" };
                text.push_str(&format!(
                    " (out of the usual order: {} {verb} still pending)",
                    waiting.join(", ")
                ));
            }
        }
        let record = self.stages.get_mut(stage);
        record.state = state;
        record.changed_at = Some(at);
        record.owner = Some(author.to_owned());
        record.reason = kept_reason;
        match state {
            StageState::Active => {
                record.started_at = record.started_at.or(Some(at));
                record.completed_at = None;
            }
            StageState::Pending => record.completed_at = None,
            StageState::Done | StageState::Skipped | StageState::Deferred => {
                record.completed_at = Some(at);
            }
        }
        Ok(text)
    }

    fn change_status(&mut self, status: PublicStatus, at: Timestamp) -> Result<String> {
        if status == self.status {
            return Err(DeskError::Unchanged(format!(
                "the public status is already {status}"
            )));
        }
        let text = format!("Public status: {} → {status}", self.status);
        self.status = status;
        self.resolved_at = (status == PublicStatus::Resolved).then_some(at);
        Ok(text)
    }

    fn assign(&mut self, role: Role, person: &str, at: Timestamp) -> Result<String> {
        required_text("person", person, MAX_NAME)?;
        if self.holders(role).any(|a| a.person == person) {
            return Err(DeskError::Unchanged(format!(
                "{person} is already {}",
                role.title()
            )));
        }
        let mut previous = Vec::new();
        if role.is_single_holder() {
            for assignment in self
                .roles
                .iter_mut()
                .filter(|a| a.role == role && a.relieved_at.is_none())
            {
                assignment.relieved_at = Some(at);
                previous.push(assignment.person.clone());
            }
        }
        self.roles.push(RoleAssignment {
            role,
            person: person.to_owned(),
            assumed_at: at,
            relieved_at: None,
        });
        Ok(match previous.as_slice() {
            [] if role == Role::Expert => format!("{person} joined as subject-matter expert"),
            [] => format!("{person} is {}", role.title()),
            _ => format!(
                "{} handed off from {} to {person}",
                capitalize(role.title()),
                previous.join(", ")
            ),
        })
    }

    fn relieve(&mut self, role: Role, person: &str, at: Timestamp) -> Result<String> {
        let assignment = self
            .roles
            .iter_mut()
            .find(|a| a.role == role && a.relieved_at.is_none() && a.person == person)
            .ok_or_else(|| {
                DeskError::Unchanged(format!("{person} does not hold the {role} role"))
            })?;
        assignment.relieved_at = Some(at);
        Ok(format!("{person} relieved as {}", role.title()))
    }

    fn add_communication(
        &mut self,
        message: NewMessage<'_>,
        state: CommunicationState,
        at: Timestamp,
    ) -> Result<()> {
        required_text("body", message.body, MAX_TEXT)?;
        optional_text("segment", message.segment, MAX_SHORT_TEXT)?;
        if let Some(subject) = message.subject {
            optional_text("subject", subject, MAX_TITLE)?;
        }
        if self.communications.iter().any(|c| c.id == message.id) {
            return Err(DeskError::Conflict(format!(
                "communication {} already exists",
                message.id
            )));
        }
        self.communications.push(Communication {
            id: message.id.to_owned(),
            channel: message.channel,
            segment: message.segment.to_owned(),
            subject: message.subject.map(str::to_owned),
            body: message.body.to_owned(),
            announces: message.announces,
            state,
            created_at: at,
            approved_by: None,
            approved_at: None,
            sent_at: (state == CommunicationState::Sent).then_some(at),
            published_to: None,
            queued_to: None,
            publish_error: None,
            sent_via: None,
            service_thread: None,
        });
        Ok(())
    }

    fn communication_mut(&mut self, id: &str) -> Result<&mut Communication> {
        self.communications
            .iter_mut()
            .find(|c| c.id == id)
            .ok_or_else(|| DeskError::NotFound {
                what: "communication",
                key: id.to_owned(),
            })
    }

    fn add_action_item(
        &mut self,
        id: &str,
        title: &str,
        owner: Option<&str>,
        due: Option<&str>,
        from_stage: Option<Stage>,
        at: Timestamp,
    ) -> Result<()> {
        required_text("title", title, MAX_TITLE)?;
        if let Some(owner) = owner {
            required_text("owner", owner, MAX_NAME)?;
        }
        if let Some(due) = due {
            validate_date(due)?;
        }
        if self.action_items.iter().any(|item| item.id == id) {
            return Err(DeskError::Conflict(format!(
                "action item {id} already exists"
            )));
        }
        self.action_items.push(ActionItem {
            id: id.to_owned(),
            title: title.to_owned(),
            owner: owner.map(str::to_owned),
            due: due.map(str::to_owned),
            state: ActionState::Open,
            from_stage,
            created_at: at,
        });
        Ok(())
    }

    fn mark_check(
        &mut self,
        item: &str,
        text: &str,
        stage: Stage,
        state: CheckState,
        at: Timestamp,
        author: &str,
    ) -> Result<String> {
        if !valid_item_key(item) {
            return Err(DeskError::invalid(
                "item",
                format!("{item:?} is not a checklist item key (lowercase letters, digits and -)"),
            ));
        }
        required_text("text", text, MAX_TEXT)?;
        let current = self.checks.iter().position(|m| m.item == item);
        let was = current.map_or(CheckState::Open, |i| self.checks[i].state);
        if was == state {
            return Err(DeskError::Unchanged(format!(
                "checklist item \"{text}\" is already {state}"
            )));
        }
        let mark = CheckMark {
            item: item.to_owned(),
            text: text.to_owned(),
            stage,
            state,
            by: author.to_owned(),
            at,
        };
        match current {
            Some(i) => self.checks[i] = mark,
            None => self.checks.push(mark),
        }
        Ok(match state {
            CheckState::Done => format!("Checklist ({stage}): done: {text}"),
            CheckState::Skipped => format!("Checklist ({stage}): skipped: {text}"),
            CheckState::Open => format!("Checklist ({stage}): reopened: {text}"),
        })
    }

    fn add_task(
        &mut self,
        id: &str,
        title: &str,
        owner: Option<&str>,
        owner_role: Option<Role>,
        due_at: Option<Timestamp>,
        at: Timestamp,
    ) -> Result<String> {
        required_text("id", id, MAX_NAME)?;
        required_text("title", title, MAX_TITLE)?;
        if let Some(owner) = owner {
            required_text("owner", owner, MAX_NAME)?;
        }
        if let Some(due_at) = due_at {
            plausible_time("due", due_at)?;
        }
        if self.tasks.iter().any(|task| task.id == id) {
            return Err(DeskError::Conflict(format!("task {id} already exists")));
        }
        self.tasks.push(Task {
            id: id.to_owned(),
            title: title.to_owned(),
            owner: owner.map(str::to_owned),
            owner_role,
            due_at,
            state: TaskState::Open,
            created_at: at,
            done_at: None,
            action_item_id: None,
        });
        let mut text = format!("Task: {title}");
        let owner = match (owner, owner_role) {
            (Some(owner), Some(role)) => Some(format!("{owner} ({})", role.title())),
            (Some(owner), None) => Some(owner.to_owned()),
            (None, Some(role)) => Some(format!("the {}", role.title())),
            (None, None) => None,
        };
        let details: Vec<String> = [
            owner.map(|o| format!("for {o}")),
            due_at.map(|d| format!("due {}", d.to_datetime().format("%H:%M UTC"))),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !details.is_empty() {
            text.push_str(&format!(" ({})", details.join(", ")));
        }
        Ok(text)
    }

    fn task_mut(&mut self, id: &str) -> Result<&mut Task> {
        self.tasks
            .iter_mut()
            .find(|task| task.id == id)
            .ok_or_else(|| DeskError::NotFound {
                what: "task",
                key: id.to_owned(),
            })
    }

    fn change_task(&mut self, id: &str, state: TaskState, at: Timestamp) -> Result<String> {
        let task = self.task_mut(id)?;
        if task.state == state {
            return Err(DeskError::Unchanged(format!(
                "task \"{}\" is already {state}",
                task.title
            )));
        }
        task.state = state;
        task.done_at = (state != TaskState::Open).then_some(at);
        Ok(format!("Task \"{}\" is {state}", task.title))
    }

    fn promote_task(&mut self, id: &str, action_item_id: &str, at: Timestamp) -> Result<String> {
        let task = self.task_mut(id)?.clone();
        if let Some(existing) = &task.action_item_id {
            return Err(DeskError::Conflict(format!(
                "task \"{}\" is already action item {existing}",
                task.title
            )));
        }
        self.add_action_item(
            action_item_id,
            &task.title,
            task.owner.as_deref(),
            None,
            None,
            at,
        )?;
        let task = self.task_mut(id)?;
        task.action_item_id = Some(action_item_id.to_owned());
        Ok(format!(
            "Task \"{}\" carried on as a review action item",
            task.title
        ))
    }

    fn mark_hypothesis(
        &mut self,
        entry_id: &str,
        state: HypothesisState,
        at: Timestamp,
        author: &str,
    ) -> Result<String> {
        required_text("entry", entry_id, MAX_NAME)?;
        let current = self
            .hypothesis_marks
            .iter()
            .position(|m| m.entry_id == entry_id);
        let was = current.map_or(HypothesisState::Open, |i| self.hypothesis_marks[i].state);
        if was == state {
            return Err(DeskError::Unchanged(format!(
                "the hypothesis is already {}",
                state.as_str().replace('_', " ")
            )));
        }
        let mark = HypothesisMark {
            entry_id: entry_id.to_owned(),
            state,
            by: author.to_owned(),
            at,
        };
        match current {
            Some(i) => self.hypothesis_marks[i] = mark,
            None => self.hypothesis_marks.push(mark),
        }
        Ok(match state {
            HypothesisState::RuledOut => "Hypothesis ruled out".to_owned(),
            HypothesisState::Confirmed => "Hypothesis confirmed".to_owned(),
            HypothesisState::Open => "Hypothesis reopened".to_owned(),
        })
    }
}

/// Only a draft or an approved message within its channel's length can go
/// out (be sent, queued or published).
pub fn ready_to_go(comm: &Communication, verb: &str) -> Result<()> {
    if !matches!(
        comm.state,
        CommunicationState::Draft | CommunicationState::Approved
    ) {
        return Err(DeskError::Conflict(format!(
            "communication {} is {} and cannot be {verb}",
            comm.id, comm.state
        )));
    }
    check_length(comm.channel, &comm.body)
}

/// A message waiting in the outbox is not changed under the service's feet:
/// cancel first.
fn refuse_if_queued(comm: &Communication, what: &str) -> Result<()> {
    match comm.queued_to {
        Some(target) => Err(DeskError::Conflict(format!(
            "this message waits in the outbox for {target} and cannot be {what}: cancel publishing first"
        ))),
        None => Ok(()),
    }
}

/// How far before the impact started a note may be dated: context such as
/// "the deploy went out the evening before" belongs on the timeline, a date
/// years off does not (it would stretch every chart of the incident).
pub const MAX_NOTE_BEFORE_IMPACT_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// Refuses an entry of incident `reference` dated `at`:
/// - a change (`declared_at` given) dated before the declaration: the
///   incident was not there yet to change. With `started ≤ detected ≤
///   declared` this keeps every metric ≥ 0;
/// - a note dated more than [`MAX_NOTE_BEFORE_IMPACT_MS`] before the impact.
pub fn check_entry_dated(
    reference: &str,
    started_at: Timestamp,
    declared_at: Option<Timestamp>,
    at: Timestamp,
) -> Result<()> {
    if let Some(declared_at) = declared_at {
        if at < declared_at {
            return Err(DeskError::invalid(
                "at",
                format!(
                    "{reference} was declared at {declared_at}: a change cannot be dated \
                     before that ({at}); to record something that happened earlier, add a \
                     note dated then"
                ),
            ));
        }
        return Ok(());
    }
    if at < started_at.plus_millis(-MAX_NOTE_BEFORE_IMPACT_MS) {
        return Err(DeskError::invalid(
            "at",
            format!(
                "{reference}'s impact started at {started_at}: a note can be dated at most \
                 7 days before that, not {at}"
            ),
        ));
    }
    Ok(())
}

/// A message being added.
struct NewMessage<'a> {
    id: &'a str,
    channel: Channel,
    segment: &'a str,
    body: &'a str,
    subject: Option<&'a str>,
    announces: Option<PublicStatus>,
}

fn validate_services(services: &[String]) -> Result<()> {
    if services.len() > MAX_SERVICES {
        return Err(DeskError::invalid(
            "services",
            format!(
                "{} services listed, at most {MAX_SERVICES} allowed",
                services.len()
            ),
        ));
    }
    for (index, service) in services.iter().enumerate() {
        required_text("service", service, MAX_NAME)?;
        if services[..index].contains(service) {
            return Err(DeskError::invalid(
                "services",
                format!("service \"{service}\" is listed twice"),
            ));
        }
    }
    Ok(())
}

/// A due date: `YYYY-MM-DD`.
pub fn validate_date(text: &str) -> Result<()> {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(|_| ())
        .map_err(|_| DeskError::invalid("due", format!("\"{text}\" is not a date like 2026-12-31")))
}

fn channel_name(channel: Channel) -> &'static str {
    match channel {
        Channel::StatusPage => "status page",
        Channel::Social => "social",
        Channel::Email => "email",
        Channel::Internal => "internal",
        Channel::Support => "support",
    }
}

/// The first line of a message, shortened for the timeline.
fn excerpt(body: &str) -> String {
    let line = body.lines().next().unwrap_or_default();
    let mut short: String = line.chars().take(80).collect();
    if short.chars().count() < body.chars().count() {
        short.push('…');
    }
    short
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
