// Tessera test stub for `webrtc-polyfill` (see ../README.md and engine/testing/README.md).
// Interop tests run webtorrent and bittorrent-tracker over TCP only; nothing may construct a WebRTC peer.
class WebRTCDisabled {
  constructor() {
    throw new Error('WebRTC is disabled in Tessera tests (webrtc-polyfill is stubbed)');
  }
}
export class RTCPeerConnection extends WebRTCDisabled {}
export class RTCSessionDescription extends WebRTCDisabled {}
export class RTCIceCandidate extends WebRTCDisabled {}
export class RTCDataChannel extends WebRTCDisabled {}
export default { RTCPeerConnection, RTCSessionDescription, RTCIceCandidate, RTCDataChannel };
