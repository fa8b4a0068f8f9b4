import { JsonTextField as JsonTextField_8a506f6ee158733e6760548b5cfeb699 } from '../../../../src/components/ledger/ReadableJsonFields'
import { InviteMember as InviteMember_e26c9052f4a43e042c51374162081516 } from '../../../../src/components/InviteMember'
import { PartnerLedger as PartnerLedger_957b6e45b7205c7ca195638b9636a7b7 } from '../../../../src/components/ledger/PartnerLedger'
import { MoneyCell as MoneyCell_9d971ea98a6e4b043ef55920f787f459 } from '../../../../src/components/MoneyCell'
import { MoneyDescription as MoneyDescription_9d971ea98a6e4b043ef55920f787f459 } from '../../../../src/components/MoneyCell'
import { ConversionLedger as ConversionLedger_afe95e824aa43701b871f530ed7dfed2 } from '../../../../src/components/ledger/ConversionLedger'
import { ExplanationField as ExplanationField_8a506f6ee158733e6760548b5cfeb699 } from '../../../../src/components/ledger/ReadableJsonFields'
import { EvidenceField as EvidenceField_8a506f6ee158733e6760548b5cfeb699 } from '../../../../src/components/ledger/ReadableJsonFields'
import { BatchReferenceCell as BatchReferenceCell_278cecd92210b9c751cd9dc717975767 } from '../../../../src/components/BatchReferenceCell'
import { BatchDraftButton as BatchDraftButton_5aa12277b5653c0e72e47ee83de171f8 } from '../../../../src/components/BatchDraftButton'
import { AuditTrailTools as AuditTrailTools_e85e75806e962e0c4c3b985a35a36c2c } from '../../../../src/components/AuditTrailTools'
import { ImportListLink as ImportListLink_35a8fa4b1ea87661e8276e1caac0ad4c } from '../../../../src/components/import/ImportNavLink'
import { OrganizationSwitcher as OrganizationSwitcher_3fb42f7121625b1c9535cfc0905831f5 } from '../../../../src/components/OrganizationSwitcher'
import { ReviewNavLinks as ReviewNavLinks_8d534b7696afbae32548e9ae40916fc3 } from '../../../../src/components/review/ReviewNavLinks'
import { Dashboard as Dashboard_3b2b567ff1fac3d3c0aea12d559a6e0b } from '../../../../src/components/program/Dashboard'
import { ImportNavLink as ImportNavLink_35a8fa4b1ea87661e8276e1caac0ad4c } from '../../../../src/components/import/ImportNavLink'
import { ProgramNavLink as ProgramNavLink_627a1512f664d10b76f2024c3c2eef7f } from '../../../../src/components/program/NavLink'
import { ImportView as ImportView_23fc3d858de5b3b49d2f8f18a6d0dbb0 } from '../../../../src/components/import/ImportView'
import { BatchReviewView as BatchReviewView_8f66538d41a4270236711f8583dc3937 } from '../../../../src/components/BatchReviewView'
import { SetupView as SetupView_7876ef385937608652c5669cf1e0b8cc } from '../../../../src/components/program/SetupView'
import { ReconciliationView as ReconciliationView_1fbb9d31a79630c8179d350a2001a785 } from '../../../../src/components/program/ReconciliationView'
import { FlagsReviewView as FlagsReviewView_ff5f7b51dbb4d52f557d5b7e57fbd2b9 } from '../../../../src/components/review/ReviewViews'
import { UnattributedReviewView as UnattributedReviewView_ff5f7b51dbb4d52f557d5b7e57fbd2b9 } from '../../../../src/components/review/ReviewViews'
import { RefundsReviewView as RefundsReviewView_ff5f7b51dbb4d52f557d5b7e57fbd2b9 } from '../../../../src/components/review/ReviewViews'
import { NegativeBalancesReviewView as NegativeBalancesReviewView_ff5f7b51dbb4d52f557d5b7e57fbd2b9 } from '../../../../src/components/review/ReviewViews'
import { CollectionCards as CollectionCards_f9c02e79a4aed9a3924487c0cd4cafb1 } from '@payloadcms/next/rsc'

/** @type import('payload').ImportMap */
export const importMap = {
  "/src/components/ledger/ReadableJsonFields#JsonTextField": JsonTextField_8a506f6ee158733e6760548b5cfeb699,
  "/src/components/InviteMember#InviteMember": InviteMember_e26c9052f4a43e042c51374162081516,
  "/src/components/ledger/PartnerLedger#PartnerLedger": PartnerLedger_957b6e45b7205c7ca195638b9636a7b7,
  "/src/components/MoneyCell#MoneyCell": MoneyCell_9d971ea98a6e4b043ef55920f787f459,
  "/src/components/MoneyCell#MoneyDescription": MoneyDescription_9d971ea98a6e4b043ef55920f787f459,
  "/src/components/ledger/ConversionLedger#ConversionLedger": ConversionLedger_afe95e824aa43701b871f530ed7dfed2,
  "/src/components/ledger/ReadableJsonFields#ExplanationField": ExplanationField_8a506f6ee158733e6760548b5cfeb699,
  "/src/components/ledger/ReadableJsonFields#EvidenceField": EvidenceField_8a506f6ee158733e6760548b5cfeb699,
  "/src/components/BatchReferenceCell#BatchReferenceCell": BatchReferenceCell_278cecd92210b9c751cd9dc717975767,
  "/src/components/BatchDraftButton#BatchDraftButton": BatchDraftButton_5aa12277b5653c0e72e47ee83de171f8,
  "/src/components/AuditTrailTools#AuditTrailTools": AuditTrailTools_e85e75806e962e0c4c3b985a35a36c2c,
  "/src/components/import/ImportNavLink#ImportListLink": ImportListLink_35a8fa4b1ea87661e8276e1caac0ad4c,
  "/src/components/OrganizationSwitcher#OrganizationSwitcher": OrganizationSwitcher_3fb42f7121625b1c9535cfc0905831f5,
  "/src/components/review/ReviewNavLinks#ReviewNavLinks": ReviewNavLinks_8d534b7696afbae32548e9ae40916fc3,
  "/src/components/program/Dashboard#Dashboard": Dashboard_3b2b567ff1fac3d3c0aea12d559a6e0b,
  "/src/components/import/ImportNavLink#ImportNavLink": ImportNavLink_35a8fa4b1ea87661e8276e1caac0ad4c,
  "/src/components/program/NavLink#ProgramNavLink": ProgramNavLink_627a1512f664d10b76f2024c3c2eef7f,
  "/src/components/import/ImportView#ImportView": ImportView_23fc3d858de5b3b49d2f8f18a6d0dbb0,
  "/src/components/BatchReviewView#BatchReviewView": BatchReviewView_8f66538d41a4270236711f8583dc3937,
  "/src/components/program/SetupView#SetupView": SetupView_7876ef385937608652c5669cf1e0b8cc,
  "/src/components/program/ReconciliationView#ReconciliationView": ReconciliationView_1fbb9d31a79630c8179d350a2001a785,
  "/src/components/review/ReviewViews#FlagsReviewView": FlagsReviewView_ff5f7b51dbb4d52f557d5b7e57fbd2b9,
  "/src/components/review/ReviewViews#UnattributedReviewView": UnattributedReviewView_ff5f7b51dbb4d52f557d5b7e57fbd2b9,
  "/src/components/review/ReviewViews#RefundsReviewView": RefundsReviewView_ff5f7b51dbb4d52f557d5b7e57fbd2b9,
  "/src/components/review/ReviewViews#NegativeBalancesReviewView": NegativeBalancesReviewView_ff5f7b51dbb4d52f557d5b7e57fbd2b9,
  "@payloadcms/next/rsc#CollectionCards": CollectionCards_f9c02e79a4aed9a3924487c0cd4cafb1
}
