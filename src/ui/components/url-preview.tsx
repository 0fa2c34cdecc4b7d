/** The authorization URL, one parameter per line, each highlighted when its field has focus. */
export function UrlPreview(props: { url: URL; focused?: string | undefined }) {
  const { url, focused } = props;
  // Show each parameter exactly as it is encoded on the wire.
  const entries = url.search
    .replace(/^\?/, '')
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const at = pair.indexOf('=');
      return at === -1 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
    });
  return (
    <div className="url-preview">
      <p className="url-preview-label" id="url-preview-label">
        URL preview (updates as you type)
      </p>
      <pre aria-labelledby="url-preview-label" tabIndex={0}>
        <span className="url-base">{`${url.origin}${url.pathname}`}</span>
        {entries.map(([name, value], i) => (
          <span
            key={name}
            className={`url-param${focused === decodeURIComponent(name ?? '') ? ' is-focused' : ''}`}
            data-param={name}
          >
            {'\n  '}
            {i === 0 ? '?' : '&'}
            <span className="url-name">{name}</span>=<span className="url-value">{value}</span>
          </span>
        ))}
      </pre>
    </div>
  );
}
