/**
 * Tessera's own icons: small inline SVGs drawn on a 24×24 grid in currentColor, hidden from assistive
 * technology (the control they sit in carries the name) and sized by CSS (`.svg-icon`, 1em by default).
 * Emoji and symbol characters are not used as icons: where no emoji or symbol font is installed they
 * render as empty boxes.
 */
import type { ReactNode } from 'react';

interface IconProps {
  className?: string;
}

function Svg(props: IconProps & { children: ReactNode }): ReactNode {
  return (
    <svg className={props.className ? `svg-icon ${props.className}` : 'svg-icon'} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      {props.children}
    </svg>
  );
}

/** A filled shape; `evenOdd` cuts holes where paths overlap. */
function Fill({ d, evenOdd }: { d: string; evenOdd?: boolean }): ReactNode {
  return <path d={d} fill="currentColor" fillRule={evenOdd ? 'evenodd' : undefined} />;
}

/** A line drawing with round ends. */
function Line({ d, width = 2.2 }: { d: string; width?: number }): ReactNode {
  return <path d={d} fill="none" stroke="currentColor" strokeWidth={width} strokeLinecap="round" strokeLinejoin="round" />;
}

export function PlusIcon(p: IconProps): ReactNode {
  return <Svg {...p}><Fill d="M11 4h2v7h7v2h-7v7h-2v-7H4v-2h7z" /></Svg>;
}

export function MagnetIcon(p: IconProps): ReactNode {
  return <Svg {...p}><Fill d="M7 3v7a5 5 0 0 0 10 0V3h-4v7a1 1 0 0 1-2 0V3z" /></Svg>;
}

export function PlayIcon(p: IconProps): ReactNode {
  return <Svg {...p}><Fill d="M7 4.5v15l12.5-7.5z" /></Svg>;
}

export function PauseIcon(p: IconProps): ReactNode {
  return <Svg {...p}><Fill d="M6 4h4v16H6zM14 4h4v16h-4z" /></Svg>;
}

export function CloseIcon(p: IconProps): ReactNode {
  return <Svg {...p}><Line d="M6 6l12 12M18 6L6 18" width={2.6} /></Svg>;
}

export function QueueTopIcon(p: IconProps): ReactNode {
  return <Svg {...p}><Fill d="M4 2.5h16V5H4zM12 7l6.5 6.5H14V21h-4v-7.5H5.5z" /></Svg>;
}

export function ArrowUpIcon(p: IconProps): ReactNode {
  return <Svg {...p}><Fill d="M12 3.5l7 7.5h-5v9.5h-4V11H5z" /></Svg>;
}

export function ArrowDownIcon(p: IconProps): ReactNode {
  return <Svg {...p}><Fill d="M12 20.5L19 13h-5V3.5h-4V13H5z" /></Svg>;
}

export function QueueBottomIcon(p: IconProps): ReactNode {
  return <Svg {...p}><Fill d="M4 19h16v2.5H4zM12 17l6.5-6.5H14V3h-4v7.5H5.5z" /></Svg>;
}

export function ForceStartIcon(p: IconProps): ReactNode {
  return <Svg {...p}><Fill d="M4 5l8 7-8 7zM12 5l8 7-8 7z" /></Svg>;
}

export function RecheckIcon(p: IconProps): ReactNode {
  return (
    <Svg {...p}>
      <Line d="M19 12.5a7 7 0 1 1-2.3-5.7" width={2.4} />
      <Fill d="M20.5 3.5v6.5H14z" />
    </Svg>
  );
}

export function SettingsIcon(p: IconProps): ReactNode {
  return (
    <Svg {...p}>
      <Fill
        evenOdd
        d="M22 10L22 14L19.5 14.3L18.9 15.6L20.5 17.6L17.6 20.5L15.6 18.9L14.3 19.5L14 22L10 22L9.7 19.5L8.4 18.9L6.4 20.5L3.5 17.6L5.1 15.6L4.5 14.3L2 14L2 10L4.5 9.7L5.1 8.4L3.5 6.4L6.4 3.5L8.4 5.1L9.7 4.5L10 2L14 2L14.3 4.5L15.6 5.1L17.6 3.5L20.5 6.4L18.9 8.4L19.5 9.7ZM12 8.8a3.2 3.2 0 1 0 0 6.4a3.2 3.2 0 1 0 0-6.4Z"
      />
    </Svg>
  );
}

/** A folder's twisty: right when collapsed, down when expanded. */
export function ChevronIcon(p: IconProps & { open: boolean }): ReactNode {
  return <Svg className={p.className}><Line d={p.open ? 'M6 9l6 6 6-6' : 'M9 6l6 6-6 6'} width={2.6} /></Svg>;
}

/** A sorted column's mark. */
export function SortIcon(p: IconProps & { descending: boolean }): ReactNode {
  return <Svg className={p.className}><Fill d={p.descending ? 'M5 8h14l-7 9z' : 'M5 16h14l-7-9z'} /></Svg>;
}

export function CheckIcon(p: IconProps): ReactNode {
  return <Svg {...p}><Line d="M5 12.5l4.5 4.5L19 7" width={2.6} /></Svg>;
}

export function FolderIcon(p: IconProps): ReactNode {
  return <Svg {...p}><Fill d="M2.5 5.5A1.5 1.5 0 0 1 4 4h5.2l2 2.2H20a1.5 1.5 0 0 1 1.5 1.5v10.8A1.5 1.5 0 0 1 20 20H4a1.5 1.5 0 0 1-1.5-1.5z" /></Svg>;
}

export function FileIcon(p: IconProps): ReactNode {
  return <Svg {...p}><Line d="M6 2.8h8.2L19 7.6v13.6H6zM14 3v4.8h4.8" width={1.8} /></Svg>;
}

export function PencilIcon(p: IconProps): ReactNode {
  return <Svg {...p}><Fill d="M3.5 20.5l1.2-5.1L15.6 4.5l3.9 3.9L8.6 19.3zM17 3.1l1.4-1.4 3.9 3.9-1.4 1.4z" /></Svg>;
}

/** The status bar's rate marks (download, upload). */
export function DownRateIcon(p: IconProps): ReactNode {
  return <Svg {...p}><Fill d="M12 21l7.5-8H14.5V3h-5v10H4.5z" /></Svg>;
}

export function UpRateIcon(p: IconProps): ReactNode {
  return <Svg {...p}><Fill d="M12 3l7.5 8H14.5v10h-5V11H4.5z" /></Svg>;
}

/** A page with a plus: create a torrent. */
export function CreateIcon(p: IconProps): ReactNode {
  return <Svg {...p}><Line d="M6 2.8h8.2L19 7.6v13.6H6zM14 3v4.8h4.8M12.5 11v7M9 14.5h7" width={1.8} /></Svg>;
}
