import { InviteMember as InviteMember_e26c9052f4a43e042c51374162081516 } from '../../../../src/components/InviteMember'
import { PartnerLedger as PartnerLedger_957b6e45b7205c7ca195638b9636a7b7 } from '../../../../src/components/ledger/PartnerLedger'
import { JsonTextField as JsonTextField_8a506f6ee158733e6760548b5cfeb699 } from '../../../../src/components/ledger/ReadableJsonFields'
import { MoneyCell as MoneyCell_9d971ea98a6e4b043ef55920f787f459 } from '../../../../src/components/MoneyCell'
import { MoneyDescription as MoneyDescription_9d971ea98a6e4b043ef55920f787f459 } from '../../../../src/components/MoneyCell'
import { ConversionLedger as ConversionLedger_afe95e824aa43701b871f530ed7dfed2 } from '../../../../src/components/ledger/ConversionLedger'
import { ExplanationField as ExplanationField_8a506f6ee158733e6760548b5cfeb699 } from '../../../../src/components/ledger/ReadableJsonFields'
import { EvidenceField as EvidenceField_8a506f6ee158733e6760548b5cfeb699 } from '../../../../src/components/ledger/ReadableJsonFields'
import { AuditTrailTools as AuditTrailTools_e85e75806e962e0c4c3b985a35a36c2c } from '../../../../src/components/AuditTrailTools'
import { OrganizationSwitcher as OrganizationSwitcher_3fb42f7121625b1c9535cfc0905831f5 } from '../../../../src/components/OrganizationSwitcher'
import { ReviewNavLinks as ReviewNavLinks_8d534b7696afbae32548e9ae40916fc3 } from '../../../../src/components/review/ReviewNavLinks'
import { FlagsReviewView as FlagsReviewView_ff5f7b51dbb4d52f557d5b7e57fbd2b9 } from '../../../../src/components/review/ReviewViews'
import { UnattributedReviewView as UnattributedReviewView_ff5f7b51dbb4d52f557d5b7e57fbd2b9 } from '../../../../src/components/review/ReviewViews'
import { RefundsReviewView as RefundsReviewView_ff5f7b51dbb4d52f557d5b7e57fbd2b9 } from '../../../../src/components/review/ReviewViews'
import { NegativeBalancesReviewView as NegativeBalancesReviewView_ff5f7b51dbb4d52f557d5b7e57fbd2b9 } from '../../../../src/components/review/ReviewViews'
import { CollectionCards as CollectionCards_f9c02e79a4aed9a3924487c0cd4cafb1 } from '@payloadcms/next/rsc'

/** @type import('payload').ImportMap */
export const importMap = {
  "/src/components/InviteMember#InviteMember": InviteMember_e26c9052f4a43e042c51374162081516,
  "/src/components/ledger/PartnerLedger#PartnerLedger": PartnerLedger_957b6e45b7205c7ca195638b9636a7b7,
  "/src/components/ledger/ReadableJsonFields#JsonTextField": JsonTextField_8a506f6ee158733e6760548b5cfeb699,
  "/src/components/MoneyCell#MoneyCell": MoneyCell_9d971ea98a6e4b043ef55920f787f459,
  "/src/components/MoneyCell#MoneyDescription": MoneyDescription_9d971ea98a6e4b043ef55920f787f459,
  "/src/components/ledger/ConversionLedger#ConversionLedger": ConversionLedger_afe95e824aa43701b871f530ed7dfed2,
  "/src/components/ledger/ReadableJsonFields#ExplanationField": ExplanationField_8a506f6ee158733e6760548b5cfeb699,
  "/src/components/ledger/ReadableJsonFields#EvidenceField": EvidenceField_8a506f6ee158733e6760548b5cfeb699,
  "/src/components/AuditTrailTools#AuditTrailTools": AuditTrailTools_e85e75806e962e0c4c3b985a35a36c2c,
  "/src/components/OrganizationSwitcher#OrganizationSwitcher": OrganizationSwitcher_3fb42f7121625b1c9535cfc0905831f5,
  "/src/components/review/ReviewNavLinks#ReviewNavLinks": ReviewNavLinks_8d534b7696afbae32548e9ae40916fc3,
  "/src/components/review/ReviewViews#FlagsReviewView": FlagsReviewView_ff5f7b51dbb4d52f557d5b7e57fbd2b9,
  "/src/components/review/ReviewViews#UnattributedReviewView": UnattributedReviewView_ff5f7b51dbb4d52f557d5b7e57fbd2b9,
  "/src/components/review/ReviewViews#RefundsReviewView": RefundsReviewView_ff5f7b51dbb4d52f557d5b7e57fbd2b9,
  "/src/components/review/ReviewViews#NegativeBalancesReviewView": NegativeBalancesReviewView_ff5f7b51dbb4d52f557d5b7e57fbd2b9,
  "@payloadcms/next/rsc#CollectionCards": CollectionCards_f9c02e79a4aed9a3924487c0cd4cafb1
}
