// The address book moved to peer/ (the peer manager owns it); this keeps the old import path working.
export * from '../peer/address-book.js';
