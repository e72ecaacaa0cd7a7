/**
 * The German texts. A message missing here falls back to the English one when a mail is rendered,
 * and fails tests/notifications/templates.test.ts, so a gap is caught before it ships.
 */
import type { NotificationType } from '../../../shared/notification-settings';
import { money } from './money';
import type { Messages } from './types';

const IGNORE_IF_NOT_YOU = 'Falls Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: Ohne den Link geschieht nichts.';
const HOURS = '{hours, plural, one {eine Stunde} other {# Stunden}}';
const MINUTES = '{minutes, plural, one {eine Minute} other {# Minuten}}';
const UNTIL = 'bis {expiresAt, date, deadline}';
const SIGN_IN =
  'Melden Sie sich bei Insurflow als {email} an. Wenn Sie das Passwort nicht kennen, wählen Sie eines unter {forgotPasswordUrl}';

/** Die Dauer einer Schadenfrist, in der Einheit, in der sie gezählt wurde (nach „seit“, „nach“ und „vor“: Dativ). */
const WAITED_HOURS =
  '{working, select, yes {{hours, plural, one {einer Arbeitsstunde} other {# Arbeitsstunden}}} other {{hours, plural, one {einer Stunde} other {# Stunden}}}}';
const DAYS =
  '{working, select, yes {{days, plural, one {einem Arbeitstag} other {# Arbeitstagen}}} other {{days, plural, one {einem Tag} other {# Tagen}}}}';
const AMOUNT = money('amount');
/** Eine Richtlinienversion, wie die Mails sie nennen, und ihr Fälligkeitstag (TT.MM.JJJJ in der Zeitzone des Mandanten). */
const POLICY = '„{title}“ (Version {versionNumber})';
const DUE = '{dueAt, date, day}';
const ACKNOWLEDGE_ACTION = {
  action: 'Öffnen Sie diesen Link, um die Richtlinie zu lesen und zu bestätigen:',
  button: 'Lesen und bestätigen',
};
const NOT_ACKNOWLEDGED = `{fullName} <{email}> hätte ${POLICY} bis zum ${DUE} bestätigen sollen und hat das nicht getan.`;
const COMPANY = '{companyName} ({slug})';
const REVIEW = 'Prüfen Sie sie: GET {reviewUrl}';
const CONTRACT = 'Ihr Vertrag {policyNumber} zum Tarif {planName}';
const MONEY = `${money('amount')} {currency}`;
/** Warum eine bestätigte Vertragsänderung nicht vorgenommen wurde; `other`: der englische Grund eines Laufs, dessen Aktivität nur ihn gab. */
const NOT_APPLIED_REASON = `{why, select, status {der Vertrag ist {status, select, pending {noch nicht in Kraft} pending_payment {noch ohne ersten Beitrag} cancelled {gekündigt} expired {abgelaufen} other {{status}}}} term {berechnet für die Laufzeit {pricedTerm}, der Vertrag ist in der Laufzeit {term}} premium {berechnet für einen Beitrag von ${money('pricedPremium')} {currency}, der Vertrag steht jetzt bei ${money('premium')} {currency}} no_version {der Vertrag hat noch keine Version} version {Version {version} gilt ab dem {versionFrom, date, calendarDay}} claims {die Änderung würde ab dem {effectiveDate, date, calendarDay} {way, select, loses {die Deckung offener Schäden mindern} other {die Deckung bereits gemeldeter Schäden erhöhen}}: {claimNumbers}} other {{reason}}}`;
/** Der Zustand eines Laufs, wie der Abgleich ihn fand (src/contracts/reconciler.ts); ein unbekannter wie geschrieben. */
const RUN_STATE =
  '{runState, select, terminated {abgebrochen} cancelled {storniert} failed {fehlgeschlagen} timed_out {wegen Zeitüberschreitung beendet} completed {abgeschlossen} missing {nicht vorhanden} restarted {neu gestartet} other {{runState}}}';
const ENTITY =
  '{entity, select, claim {Schaden} subscription {Vertrag} acknowledgement {Bestätigung} registration {Registrierung} other {{entity}}}';

export const de: Partial<Record<NotificationType, Partial<Messages>>> = {
  verifyAccount: {
    subject: 'Aktivieren Sie Ihr Insurflow-Konto',
    intro: 'Jemand hat mit dieser E-Mail-Adresse ein Insurflow-Konto beantragt. Es funktioniert, sobald Sie die Adresse bestätigen.',
    body: `{replacing, select, yes {Ein früher mit dieser Adresse beantragtes Konto wartet noch auf seinen eigenen Link. Der Link, dem Sie zuerst folgen, entscheidet, welches Konto die Adresse erhält; der andere Link funktioniert dann nicht mehr.
} other {}}Dieser Code gilt einmal, ${HOURS} lang, ${UNTIL}:`,
    action: 'Öffnen Sie diesen Link, um die Adresse zu bestätigen:',
    button: 'Adresse bestätigen',
    outro: `Melden Sie sich danach an.\n${IGNORE_IF_NOT_YOU}`,
  },
  staffInvitation: {
    subject: 'Willkommen bei {companyName} auf Insurflow',
    intro: 'Hallo {fullName},',
    body: `{invitedBy} hat Sie eingeladen, mit dieser E-Mail-Adresse für {companyName} auf Insurflow zu arbeiten. Wählen Sie zuerst Ihr Passwort; dieser Code gilt einmal, ${HOURS} lang, ${UNTIL}:`,
    action: 'Öffnen Sie diesen Link, um Ihr Passwort zu wählen:',
    button: 'Passwort wählen',
    outro:
      'Melden Sie sich danach mit dieser Adresse und diesem Passwort an.\nFalls der Link abgelaufen ist, bitten Sie {invitedBy} um eine neue Einladung.',
  },
  policyholderInvitation: {
    subject: 'Ihr Konto bei {companyName} auf Insurflow',
    intro: 'Hallo {fullName},',
    body: `{companyName} hat Ihnen auf Insurflow ein Konto eingerichtet, mit dieser E-Mail-Adresse: Dort sehen Sie Ihre Verträge, Ihre Beiträge und Ihre Schadensfälle. Wählen Sie zuerst Ihr Passwort; dieser Code gilt einmal, ${HOURS} lang, ${UNTIL}:`,
    action: 'Öffnen Sie diesen Link, um Ihr Passwort zu wählen:',
    button: 'Passwort wählen',
    outro: `Melden Sie sich danach mit dieser Adresse und diesem Passwort an.\nFalls der Link abgelaufen ist, bitten Sie {companyName} um einen neuen. ${IGNORE_IF_NOT_YOU}`,
  },
  alreadyRegistered: {
    subject: 'Sie haben bereits ein Insurflow-Konto',
    intro:
      'Jemand hat mit dieser E-Mail-Adresse ein neues Insurflow-Konto beantragt. Die Adresse hat bereits eines, daher wurde nichts angelegt.',
    body: `Falls Sie es waren, verwenden Sie Ihr bestehendes Konto. ${SIGN_IN}\nFalls nicht, bleibt Ihr Konto unverändert und Sie müssen nichts tun.`,
  },
  verifyRegistration: {
    subject: 'Bestätigen Sie die Registrierung Ihres Unternehmens',
    intro:
      'Jemand möchte {companyName} bei Insurflow registrieren, mit dieser Adresse für die Administration. Die Anfrage erreicht unser Team, sobald Sie die Adresse bestätigen.',
    body: `Dieser Code gilt einmal, ${HOURS} lang, ${UNTIL}:`,
    action: 'Öffnen Sie diesen Link, um die Adresse zu bestätigen und die Registrierung abzusenden:',
    button: 'Registrierung absenden',
    outro: IGNORE_IF_NOT_YOU,
  },
  registrationAddressInUse: {
    subject: 'Diese Adresse hat bereits ein Insurflow-Konto',
    intro:
      'Jemand möchte {companyName} bei Insurflow mit dieser Adresse für die Administration registrieren. Die Adresse hat bereits ein Konto oder eine offene Registrierung, daher wurde nichts abgesendet.',
    body: `Registrieren Sie das Unternehmen mit einer anderen Administrationsadresse oder, falls diese Adresse es bereits verwaltet, verwenden Sie dieses Konto.\n${SIGN_IN}`,
  },
  passwordReset: {
    subject: 'Setzen Sie Ihr Insurflow-Passwort zurück',
    intro: 'Hallo {fullName},',
    body: `jemand hat verlangt, das Passwort dieses Kontos zurückzusetzen. Dieser Code gilt einmal, ${MINUTES} lang, ${UNTIL}:`,
    action: 'Öffnen Sie diesen Link, um Ihr neues Passwort zu wählen:',
    button: 'Neues Passwort wählen',
    outro: 'Falls Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: Ihr Passwort bleibt, wie es ist.',
  },
  failedSignIns: {
    subject: 'Mehrere fehlgeschlagene Anmeldungen bei Ihrem Insurflow-Konto',
    intro:
      'Jemand hat mehrere falsche Passwörter für Ihr Konto versucht. Ihr Konto ist nicht gesperrt: Versuche von dieser Quelle werden verlangsamt, und Sie können sich wie gewohnt anmelden.',
    body: `Falls Sie es nicht waren, ändern Sie besser Ihr Passwort. Sie erhalten höchstens eine solche E-Mail alle ${MINUTES}.`,
  },
  secondFactorReset: {
    subject: 'Der zweite Faktor Ihres Insurflow-Kontos wurde entfernt',
    intro:
      'Ihre Unternehmensadministration ({adminName}) hat den zweiten Faktor Ihres Insurflow-Kontos entfernt (Authenticator und Wiederherstellungscodes). Sie melden sich jetzt nur mit Ihrem Passwort an, oder richten erneut einen zweiten Faktor ein, falls Ihr Unternehmen ihn verlangt.',
    body: 'Falls Sie das nicht veranlasst haben, informieren Sie sofort Ihre Unternehmensadministration oder Ihr Sicherheitsteam und richten Sie einen neuen zweiten Faktor ein.',
  },
  confirmEmailChange: {
    subject: 'Bestätigen Sie Ihre neue Insurflow-E-Mail-Adresse',
    intro:
      '{byAdmin, select, yes {Ihre Unternehmensadministration möchte diese Adresse ab jetzt für Ihr Insurflow-Konto verwenden.} other {Jemand, der bei Insurflow angemeldet ist, möchte diese Adresse ab jetzt für sein Konto verwenden.}} Sie ändert sich erst, wenn Sie sie bestätigen.',
    body: `Dieser Code gilt einmal, ${MINUTES} lang, ${UNTIL}:`,
    action:
      'Öffnen Sie diesen Link und bestätigen Sie mit dem Passwort Ihres Kontos (und Ihrem zweiten Faktor, falls Sie einen verwenden):',
    button: 'Neue Adresse bestätigen',
    outro: 'Falls Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: Ohne den Code ändert sich nichts.',
  },
  emailChangeRequested: {
    subject: 'Ihre Insurflow-E-Mail-Adresse wird gleich geändert',
    intro:
      '{byAdmin, select, yes {Ihre Unternehmensadministration möchte die Adresse Ihres Insurflow-Kontos in {newEmail} ändern.} other {Jemand, der mit Ihrem Passwort bei Ihrem Insurflow-Konto angemeldet ist, möchte dessen Adresse in {newEmail} ändern.}} Sie ändert sich erst, wenn dem dorthin gesendeten Link gefolgt wird.',
    body: '{byAdmin, select, yes {Falls das falsch ist, wenden Sie sich an Ihre Unternehmensadministration; der Link funktioniert nur zusammen mit dem Passwort Ihres Kontos (und dem zweiten Faktor).} other {Falls Sie es nicht waren, wählen Sie jetzt ein neues Passwort unter {forgotPasswordUrl}: Das beendet alle anderen Sitzungen, und der Link funktioniert nur zusammen mit dem Passwort Ihres Kontos (und dem zweiten Faktor).}}',
  },
  emailChangeAddressInUse: {
    subject: 'Jemand möchte Ihre Adresse für ein anderes Insurflow-Konto verwenden',
    intro:
      'Jemand, der bei einem anderen Insurflow-Konto angemeldet ist, möchte dieses Konto auf diese E-Mail-Adresse umstellen. Die Adresse hat bereits ein Konto, daher hat sich nichts geändert und es wurde kein Link gesendet.',
    body: `Falls Sie es waren, verwenden Sie das Konto dieser Adresse, oder wählen Sie für das andere eine andere Adresse. ${SIGN_IN}\nFalls nicht, bleibt Ihr Konto unverändert und Sie müssen nichts tun.`,
  },
  emailChanged: {
    subject: 'Ihre Insurflow-E-Mail-Adresse wurde geändert',
    intro:
      'Die Adresse Ihres Insurflow-Kontos ist jetzt {newEmail}{byAdmin, select, yes {, wie Ihre Unternehmensadministration sie festgelegt hat} other {}}. Melden Sie sich ab jetzt damit an; alle anderen Sitzungen wurden beendet.',
    body: '{byAdmin, select, yes {Falls das falsch ist, wenden Sie sich an Ihre Unternehmensadministration.} other {Falls Sie es nicht waren, wenden Sie sich sofort an Ihre Unternehmensadministration.}}',
  },
  confirmStaffAddress: {
    subject: 'Bestätigen Sie Ihre Insurflow-E-Mail-Adresse',
    intro:
      'Ihre Unternehmensadministration hat diese Adresse für Ihr Insurflow-Konto festgelegt. Melden Sie sich ab jetzt damit an; alle anderen Sitzungen wurden beendet.',
    body: `Bis Sie die Adresse bestätigen, wird keine Passwort-Zurücksetzung an sie gesendet. Dieser Code gilt einmal, ${HOURS} lang, ${UNTIL}:`,
    action: 'Öffnen Sie diesen Link, um die Adresse zu bestätigen:',
    button: 'Adresse bestätigen',
    outro:
      'Falls das nicht Ihr Konto ist, ignorieren Sie diese E-Mail und informieren Sie, wenn Sie es kennen, das Unternehmen, das Insurflow verwendet.',
  },
  platformAdminInvitation: {
    subject: 'Sie sind jetzt Insurflow-Plattformadministrator',
    intro: 'Hallo {fullName},',
    body: `eine andere Plattformadministration hat Sie zum Insurflow-Plattformadministrator gemacht. Wählen Sie Ihr Passwort mit diesem Code; er gilt einmal, ${HOURS} lang, ${UNTIL}:`,
    action: 'Öffnen Sie diesen Link, um Ihr neues Passwort zu wählen:',
    button: 'Passwort wählen',
    outro: 'Melden Sie sich danach an.\nFalls er abgelaufen ist, fordern Sie unter {forgotPasswordUrl} einen neuen an.',
  },
  tenantSuspended: {
    subject: 'Ihr Unternehmen ist bei Insurflow gesperrt',
    intro: 'Das Insurflow-Plattformteam hat {tenantName} gesperrt, aus diesem Grund:',
    body: '{reason}\nSolange es gesperrt ist, kann sich niemand Ihres Unternehmens anmelden, Ihr öffentlicher Katalog ist offline und Ihre Kundschaft erhält keine E-Mails von Insurflow; die Fristen Ihrer Policen und Schadensfälle laufen weiter.\nAntworten Sie auf diese E-Mail oder wenden Sie sich an das Plattformteam, um die Sperre aufheben zu lassen.',
  },
  tenantReactivated: {
    subject: 'Ihr Unternehmen ist bei Insurflow wieder aktiv',
    intro:
      'Das Insurflow-Plattformteam hat {tenantName} wieder freigeschaltet. Ihre Mitarbeitenden und Ihre Kundschaft können sich wieder anmelden, mit den Sitzungen, die sie hatten, und Ihr öffentlicher Katalog ist wieder online.',
    body: 'E-Mails, die während der Sperre fällig wurden, wurden nicht gesendet und werden es auch nicht.',
  },
  reportRecipientLink: {
    subject: 'Bestätigen Sie, dass Sie einen Insurflow-Bericht erhalten möchten',
    intro: '{addedBy} von {companyName} hat Insurflow gebeten, Ihnen den Bericht „{reportName}“ ({kind}) regelmäßig per E-Mail zu senden.',
    body: `Nichts davon wird Ihnen gesendet, bis Sie bestätigen. Dieser Code gilt einmal, {days, plural, one {einen Tag} other {# Tage}} lang, ${UNTIL}:`,
    action: 'Öffnen Sie diesen Link, um zu bestätigen, dass Sie ihn erhalten möchten:',
    button: 'Bericht erhalten',
    outro: 'Falls Sie diesen Bericht nicht möchten, ignorieren Sie diese E-Mail: Sie erhalten nichts.',
  },
  claimAssigned: {
    subject: 'Schaden {claimNumber} ist Ihnen zugewiesen',
    intro: 'Schaden {claimNumber} ({stage}) liegt jetzt bei Ihnen.',
  },
  claimDocumentsRequested: {
    subject: 'Unterlagen für Schaden {claimNumber} benötigt',
    intro: '{noteGiven, select, yes {{note}} other {Bitte laden Sie die Unterlagen hoch, um die Ihre Sachbearbeitung gebeten hat.}}',
  },
  claimDocumentsReceived: {
    subject: 'Unterlagen für Schaden {claimNumber} eingegangen',
    intro: '{fileName} wurde hochgeladen; der Schaden ist wieder in Prüfung.',
  },
  claimUnassignedEscalation: {
    subject: 'Schaden {claimNumber} ist noch niemandem zugewiesen',
    intro: `Schaden {claimNumber} wartet seit ${WAITED_HOURS} auf eine Sachbearbeitung.`,
  },
  claimApprovalEscalation: {
    subject: 'Schaden {claimNumber} wartet auf Freigabe',
    intro: `Schaden {claimNumber} wartet seit ${WAITED_HOURS} auf eine Freigabeentscheidung.`,
  },
  claimDocumentsReminder: {
    subject: 'Erinnerung: Unterlagen für Schaden {claimNumber} benötigt',
    intro: `Wir warten noch auf die Unterlagen zu Schaden {claimNumber}. Gehen sie nicht innerhalb von ${DAYS} nach unserer Anforderung ein, wird der Schaden abgelehnt, es sei denn, eine Zahlung darauf ist bereits veranlasst oder geleistet: Dann bleibt er offen, und unser Schadenteam entscheidet über ihn.`,
  },
  claimDocumentsEscalation: {
    subject: 'Schaden {claimNumber}: Unterlagen überfällig',
    intro: `Die Unterlagen zu Schaden {claimNumber} wurden vor ${DAYS} angefordert und sind nicht eingegangen.`,
  },
  claimDenialWithheld: {
    subject: 'Schaden {claimNumber} wurde nicht abgelehnt: seine Zahlungen binden Geld',
    intro: `Die Unterlagen zu Schaden {claimNumber} wurden vor ${DAYS} angefordert und sind nicht eingegangen, aber auf den Schaden ist Geld unterwegs oder gezahlt. Deshalb wurde er nicht abgelehnt und bleibt offen. Entscheiden Sie ihn: geben Sie ihn mindestens in Höhe des Gezahlten frei und erfassen Sie eine Rückforderung für zu Unrecht gezahltes Geld.`,
  },
  claimPaid: {
    subject: 'Schaden {claimNumber} ist bezahlt',
    intro: `Wir haben ${AMOUNT} für Schaden {claimNumber} gezahlt (Referenz {reference}).`,
  },
  claimPaymentApproved: {
    subject: 'Eine Zahlung zu Schaden {claimNumber} ist unterwegs',
    intro: `Wir haben eine Zahlung von ${AMOUNT} zu Schaden {claimNumber} freigegeben (Referenz {reference}); sie geht mit unserer nächsten Überweisung hinaus.`,
  },
  claimPaymentCleared: {
    subject: 'Eine Zahlung zu Schaden {claimNumber} ist ausgezahlt',
    intro: `Wir haben ${AMOUNT} zu Schaden {claimNumber} gezahlt (Referenz {reference}).`,
  },
  claimPaymentReturned: {
    subject: 'Eine Zahlung zu Schaden {claimNumber} konnte nicht ausgeführt werden',
    intro: `Die Bank hat die Zahlung von ${AMOUNT} zu Schaden {claimNumber} zurückgegeben (Referenz {reference}). Ihre Sachbearbeitung meldet sich wegen der Kontodaten bei Ihnen.`,
  },
  claimDenied: {
    subject: 'Schaden {claimNumber} ist abgelehnt',
    intro: 'Schaden {claimNumber} wurde abgelehnt{reasonGiven, select, yes {: {reason}} other {}}.',
  },
  policyNotice: {
    subject: `Neue Richtlinie zu bestätigen: ${POLICY}, fällig am ${DUE}`,
    intro: 'Guten Tag {fullName},',
    body: `${POLICY} gilt für Sie: Bitte lesen Sie sie und bestätigen Sie sie bis zum ${DUE}.`,
    ...ACKNOWLEDGE_ACTION,
  },
  acknowledgementReminder: {
    subject: `Erinnerung: Bitte bestätigen Sie ${POLICY} bis zum ${DUE}`,
    intro: 'Guten Tag {fullName},',
    body: `bitte lesen und bestätigen Sie ${POLICY} bis zum ${DUE}.\n{content}`,
    ...ACKNOWLEDGE_ACTION,
  },
  acknowledgementOverdue: {
    subject: `Überfällig: {fullName} hat ${POLICY} nicht bestätigt`,
    intro: NOT_ACKNOWLEDGED,
    body: 'Eskalationsstufe 1.',
  },
  acknowledgementEscalated: {
    subject: `Eskalation: {fullName} hat ${POLICY} noch immer nicht bestätigt`,
    intro: NOT_ACKNOWLEDGED,
    body: 'Eskalationsstufe 2.',
  },
  policyReviewRequested: {
    subject: `Prüfung erbeten: ${POLICY}`,
    intro: `${POLICY} wurde zur Prüfung eingereicht. Bitte lesen Sie sie und geben Sie sie frei oder lehnen Sie sie ab:`,
    body: '{link}',
  },
  policyReviewReminder: {
    subject: `Erinnerung: Prüfung ausstehend: ${POLICY}`,
    intro: `${POLICY} wartet noch auf eine Prüfung:`,
    body: '{link}',
  },
  policyApproved: {
    subject: `Freigegeben: ${POLICY}`,
    intro: `${POLICY} wurde freigegeben und kann jetzt veröffentlicht werden:`,
    body: '{link}',
  },
  policyChangesRequested: {
    subject: `Änderungen erbeten: ${POLICY}`,
    intro: `${POLICY} wurde abgelehnt und ist wieder ein Entwurf.`,
    body: 'Begründung: {reason}\n{link}',
  },
  policyReviewLapsed: {
    subject: `Prüfung abgelaufen: ${POLICY}`,
    intro: `Niemand hat ${POLICY} rechtzeitig geprüft; sie ist wieder ein Entwurf und kann erneut eingereicht werden:`,
    body: '{link}',
  },
  quoteReferralAccepted: {
    subject: 'Ihr Angebot ist angenommen: {premium} {currency}',
    intro:
      'Ein Underwriter hat das Risiko Ihres Angebots zu einer Prämie von {premium} {currency} angenommen. Sie können die Police bis {validUntil, date, deadline} abschließen:',
    body: '{link}',
  },
  quoteReferralDeclined: {
    subject: 'Ihr Angebot wurde abgelehnt',
    intro: 'Ein Underwriter hat das Risiko Ihres Angebots abgelehnt.',
    body: 'Begründung: {note}\n{link}',
  },
  quoteReferralLapsed: {
    subject: 'Über Ihr Angebot wurde nicht rechtzeitig entschieden',
    intro: 'Kein Underwriter hat rechtzeitig über Ihr Angebot entschieden. Fordern Sie ein neues Angebot an, um es erneut zu versuchen:',
    body: '{link}',
  },
  registrationSubmitted: {
    subject: `Neue Registrierung: ${COMPANY}`,
    intro: `${COMPANY} möchte Insurflow beitreten.`,
    body: REVIEW,
  },
  registrationReminder: {
    subject: `Erinnerung: Registrierung wartet auf eine Entscheidung: ${COMPANY}`,
    intro: `${COMPANY} wartet seit {hours, plural, one {einer Stunde} other {# Stunden}} auf eine Entscheidung.`,
    body: REVIEW,
  },
  registrationProvisioningFailed: {
    subject: `Einrichtung fehlgeschlagen: ${COMPANY}`,
    intro: `Die genehmigte Registrierung von ${COMPANY} konnte nicht eingerichtet werden und wurde zurückgenommen: {reason}`,
  },
  registrationReceived: {
    subject: 'Wir haben Ihre Registrierung erhalten',
    intro: `Vielen Dank. Die Registrierung von ${COMPANY} wartet auf die Prüfung durch das Insurflow-Team.`,
  },
  registrationDeclined: {
    subject: 'Ihre Registrierung wurde abgelehnt',
    intro: `Die Registrierung von ${COMPANY} wurde abgelehnt. Grund: {reason}`,
  },
  registrationExpired: {
    subject: 'Ihre Registrierung ist abgelaufen',
    intro: `Über die Registrierung von ${COMPANY} wurde nicht innerhalb von {days, plural, one {einem Tag} other {# Tagen}} entschieden; sie ist abgelaufen. Sie können sich gern erneut registrieren.`,
  },
  registrationTenantReady: {
    subject: 'Ihr Insurflow-Mandant ist bereit',
    intro: `Die Registrierung von ${COMPANY} wurde genehmigt, und Ihr Mandant ist bereit. Melden Sie sich bei Insurflow als {email} mit dem Passwort an, das Sie bei der Registrierung gewählt haben.`,
  },
  registrationSetupFailed: {
    subject: 'Ihre Registrierung wurde genehmigt, aber die Einrichtung Ihres Mandanten ist fehlgeschlagen',
    intro: `Die Registrierung von ${COMPANY} wurde genehmigt, aber Ihr Mandant konnte nicht eingerichtet werden, und nichts davon wurde behalten. Unser Team ist informiert und meldet sich bei Ihnen.`,
  },
  subscriptionActivated: {
    subject: 'Ihr Vertrag zum Tarif {planName} ist aktiv',
    intro: `${CONTRACT} deckt ${money('coverageAmount')} {currency} vom {startDate, date, calendarDay} bis zum {endDate, date, calendarDay}.`,
  },
  subscriptionAwaitingFirstPremium: {
    subject: 'Ihr Vertrag zum Tarif {planName} wartet auf den ersten Beitrag',
    intro: `${CONTRACT} schützt Sie, sobald die Rechnung {invoiceNumber} (${MONEY}) bezahlt ist. Ist sie am {cancelOn, date, calendarDay} noch offen, wird der Vertrag gekündigt.`,
  },
  subscriptionCancelledForNonPayment: {
    subject: 'Ihr Vertrag zum Tarif {planName} ist wegen Nichtzahlung gekündigt',
    intro: `${CONTRACT} wurde heute gekündigt: Sein Beitrag wurde nicht rechtzeitig bezahlt.`,
  },
  subscriptionLapsed: {
    subject: 'Der Schutz Ihres Vertrags zum Tarif {planName} ruht',
    intro: `${CONTRACT} schützt Sie ab dem {lapsedOn, date, calendarDay} nicht mehr: Die Rechnung {invoiceNumber} (${MONEY}, fällig am {dueDate, date, calendarDay}) ist unbezahlt. Bezahlen Sie sie vor dem {cancelOn, date, calendarDay}, um den Vertrag wieder in Kraft zu setzen; andernfalls wird er gekündigt.`,
  },
  subscriptionReinstated: {
    subject: 'Ihr Vertrag zum Tarif {planName} ist wieder in Kraft',
    intro: `${CONTRACT} schützt Sie ab heute wieder (sein Schutz ruhte seit dem {lapsedOn, date, calendarDay}).`,
  },
  subscriptionCancelled: {
    subject: 'Ihr Vertrag zum Tarif {planName} ist gekündigt',
    intro: `${CONTRACT} wurde gekündigt; der Schutz endete heute statt am {coverageEnd, date, calendarDay}.`,
    body: `{owing, select, yes {Sie schulden noch ${money('owed')} {currency} Beitrag, sofort fällig.} other {}}\n{reasonGiven, select, yes {Angegebener Grund: {reason}} other {}}`,
  },
  subscriptionRenewed: {
    subject: 'Ihr Vertrag zum Tarif {planName} ist verlängert',
    intro: `${CONTRACT} läuft jetzt bis zum {endDate, date, calendarDay}.`,
  },
  subscriptionPremiumReminder: {
    subject: 'Ihr Beitrag zum Tarif {planName} ist am {dueDate, date, calendarDay} fällig',
    intro: `Die Rechnung {invoiceNumber} Ihres Vertrags {policyNumber} zum Tarif {planName} (${MONEY}) ist am {dueDate, date, calendarDay} fällig.`,
  },
  subscriptionRenewalReminder: {
    subject: 'Ihr Vertrag zum Tarif {planName} endet am {endDate, date, calendarDay}',
    intro: `${CONTRACT} endet am {endDate, date, calendarDay}. Sie können ihn jetzt um weitere {months, plural, one {einen Monat} other {# Monate}} verlängern.`,
  },
  subscriptionExpired: {
    subject: 'Ihr Vertrag zum Tarif {planName} ist abgelaufen',
    intro: `${CONTRACT} ist am {endDate, date, calendarDay} abgelaufen.`,
  },
  subscriptionChanged: {
    subject: 'Ihr Vertrag zum Tarif {planName} wurde geändert',
    intro: `${CONTRACT} gilt ab dem {effectiveDate, date, calendarDay} geändert (Version {version}): Er deckt ${money('coverageAmount')} {currency} für einen Beitrag von ${money('premium')} {currency} je Laufzeit.`,
    body: `{premiumEffect, select, billed {Für den Rest der Laufzeit werden ${MONEY} mehr berechnet: Sehen Sie Ihre Rechnungen.} returned {Für den Rest der Laufzeit erhalten Sie ${MONEY} zurück: mit Ihren nächsten Raten verrechnet oder erstattet.} other {Ihr Beitrag bleibt unverändert.}}`,
    outro: '{scheduleGiven, select, yes {Ihr Versicherungsschein für diese Version: GET {scheduleUrl}} other {}}',
  },
  subscriptionChangeNotApplied: {
    subject: 'Ihr Vertrag zum Tarif {planName} wurde nicht geändert',
    intro: `Die Änderung Ihres Vertrags {policyNumber} zum Tarif {planName}, die Sie zum {effectiveDate, date, calendarDay} bestätigt haben, wurde nicht vorgenommen: Der Vertrag hat sich geändert, seit die Änderung berechnet wurde (${NOT_APPLIED_REASON}).`,
    body: 'Es wurde nichts geändert oder berechnet. Für die Änderung fordern Sie bitte ein neues Angebot an. Die Änderung: GET /api/v1/subscriptions/{subscriptionId}/changes/{changeId}',
  },
  policyholderSetPassword: {
    subject: 'Ihre Versicherungspolice: Legen Sie Ihr Insurflow-Passwort fest',
    intro: 'Hallo {fullName},',
    body: `Ihr Versicherer hat die Police {policyNumber} für Sie ausgestellt und für diese Adresse ein Insurflow-Konto eröffnet.\nLegen Sie Ihr Passwort mit diesem Code fest; er gilt einmal, ${HOURS} lang, ${UNTIL}:`,
    action: 'Öffnen Sie diesen Link, um Ihr neues Passwort zu wählen:',
    button: 'Passwort festlegen',
    outro: 'Melden Sie sich danach an.\nFalls er abgelaufen ist, fordern Sie unter {forgotPasswordUrl} einen neuen an.',
  },
  quoteIssued: {
    subject: `{referred, select, yes {Ihr Angebot zum Tarif {planName} liegt einem Underwriter vor} other {Ihr Angebot zum Tarif {planName}: ${MONEY}}}`,
    intro: `{referred, select, yes {Ihr Angebot {quoteId} zum Tarif {planName} würde ${MONEY} je Laufzeit kosten, doch sein Risiko muss zuerst ein Underwriter entscheiden: Sie hören von uns, sobald entschieden ist.} other {Ihr Angebot {quoteId} zum Tarif {planName} kostet ${MONEY} je Laufzeit und gilt bis {validUntil, date, deadline}.}}`,
    body: 'So setzt sich der Beitrag zusammen:\n{breakdown}',
    outro: 'Das Angebot: GET {quoteUrl}',
  },
  webhookEndpointDisabled: {
    subject: 'Insurflow: Ein Webhook-Endpunkt wurde nach {days, plural, one {einem Tag} other {# Tagen}} voller Fehler deaktiviert',
    intro:
      'Jede Zustellung an {url} ist seit dem {failingSince, date, deadline} fehlgeschlagen, daher hat Insurflow den Endpunkt {endpointId} deaktiviert.',
    body: 'Seine Zustellungen seitdem sind mit ihren Fehlern unter GET /api/v1/webhooks/endpoints/{endpointId}/deliveries aufgeführt. Sobald der Empfänger wieder funktioniert, aktivieren Sie den Endpunkt (PATCH mit enabled: true) und stellen Sie nach, was er verpasst hat (POST …/replay mit since).',
  },
  runDrift: {
    subject: `Insurflow: Der Lauf zu ${ENTITY} {entityId} ist ${RUN_STATE}`,
    intro: `${ENTITY} {entityId} ist noch im Status „{rowStatus}“, aber der zugehörige Lauf ({workflowId}) ist ${RUN_STATE}.`,
    body: '{runState, select, restarted {Sein Start war verloren gegangen; der Lauf wurde mit seinem aufgezeichneten Start neu gestartet.} other {Nichts bringt ihn von selbst weiter, bis ein Operator ihn klärt (GET /api/v1/operations/drift listet jede solche Zeile).}}',
  },
  auditCheckpoint: {
    subject: 'Insurflow: Prüfpunkt des Audit-Protokolls vom {day, date, calendarDay}',
    intro:
      'Die Hash-Kette des Audit-Protokolls, wie sie am {asOf, date, deadline} stand: {count, plural, one {# Ereignis} other {# Ereignisse}}, der Hash des letzten {head}.',
    body: 'Bewahren Sie diese E-Mail außerhalb von Insurflow auf. GET /api/v1/audit-events/verify über einen Zeitraum, der dann endet, nennt diesen Hash als Kopf; nennt es je einen anderen oder ein beschädigtes Ereignis, wurde das Protokoll nach dieser E-Mail verändert (docs/audit.md, Tamper evidence).',
  },
  ledgerDifference: {
    subject: 'Insurflow: Die Bücher weichen von den Datensätzen ab ({count, plural, one {# Abweichung} other {# Abweichungen}})',
    intro:
      'Der Abgleich vom {checkedAt, date, deadline} fand die Bücher abweichend von den Datensätzen, aus denen sie gebucht werden. Jede Zeile nennt die Prüfung, die Zeile, die Währung und die Bücher gegenüber dem, was die Datensätze sagen:',
    body: '{differences}\n{unnamed, plural, =0 {Keine weitere Zeile weicht ab.} one {# weitere Zeile weicht ab.} other {# weitere Zeilen weichen ab.}}\nGET /api/v1/ledger/reconciliation zeigt das letzte Ergebnis; POST /api/v1/ledger/reconciliation prüft erneut, sobald die Ursache behoben ist (docs/ledger.md, Reconciliation). Sie erfahren es einmal je Satz von Abweichungen.',
  },
  reportDelivery: {
    subject: 'Bericht: {reportName}',
    intro: 'Der Bericht „{reportName}“ ({kind}) ist als {fileName} angehängt.',
    body: 'Er wird von einem gespeicherten Bericht in Insurflow gesendet; wer seinen Bericht sehen darf, kann seine Empfänger oder seinen Zeitplan ändern, ihn pausieren oder löschen.',
  },
};
